using System.Diagnostics.Metrics;
using Healthcare.Core.Configuration;
using Healthcare.ServiceDefaults.Logging;
using Healthcare.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Healthcare.IntegrationTests.Logging;

/// <summary>A migrated database for log store tests; each test tells its events apart by their application name.</summary>
public sealed class LogStoreDatabase : IAsyncLifetime
{
    private string _adminUrl = "";

    /// <summary>The database as the API and the worker reach it: as the runtime role, which owns no partition.</summary>
    public string Url => TestServers.RuntimeUrl(_adminUrl);

    public string ConnectionString => PostgresConnectionString.Parse(Url).ConnectionString;

    public async Task InitializeAsync() => _adminUrl = await TestServers.CreateMigratedDatabaseAsync("logstore");

    public Task DisposeAsync() => TestServers.DropDatabaseAsync(_adminUrl);

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    public Task<long> CountAsync(string application) =>
        ScalarAsync<long>("SELECT count(*) FROM log_events WHERE application = $1", application);

    public Task<bool> PartitionExistsAsync(DateOnly day) =>
        ScalarAsync<bool>("SELECT to_regclass($1) IS NOT NULL", $"log_events_p{day:yyyyMMdd}");
}

/// <summary>What one <see cref="LogStoreMetrics"/> instance reports, by instrument and reason.</summary>
public sealed class MetricTotals : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _totals = [];

    public MetricTotals(LogStoreMetrics metrics)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var reason = "";
            foreach (var tag in tags)
            {
                if (tag.Key == "reason")
                {
                    reason = "/" + tag.Value;
                }
            }

            lock (_totals)
            {
                _totals[instrument.Name + reason] = _totals.GetValueOrDefault(instrument.Name + reason) + value;
            }
        });
        _listener.Start();
    }

    /// <summary>The instruments' current totals (they are observable counters: read when asked).</summary>
    public long this[string key]
    {
        get
        {
            lock (_totals)
            {
                _totals.Clear();
                _listener.RecordObservableInstruments();
                return _totals.GetValueOrDefault(key);
            }
        }
    }

    public void Dispose() => _listener.Dispose();

    public static LogStoreMetrics NewMetrics() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
}
