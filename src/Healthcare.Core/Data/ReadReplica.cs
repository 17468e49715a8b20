using Healthcare.Core.Configuration;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Healthcare.Core.Data;

/// <summary>
/// The optional streaming replica (<c>DATABASE_READ_URL</c>) and whether it may be read now: reachable, and no
/// more than <c>DB_READ_MAX_LAG_SECONDS</c> behind the primary. <see cref="ReplicaMonitor"/> checks it every second;
/// when it stops answering or falls behind, reads go back to the primary within a second.
/// </summary>
public sealed partial class ReadReplica : IAsyncDisposable
{
    // Zero while the replica has replayed all it received (an idle primary sends nothing, so the last replayed
    // transaction can be old without any lag); otherwise the age of the last replayed transaction.
    private const string LagQuery = """
        SELECT CASE
            WHEN NOT pg_is_in_recovery() THEN 0
            WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 1e9)
        END::float8
        """;

    private readonly NpgsqlDataSource? _source;
    private readonly PooledDbContextFactory<HealthcareDbContext>? _contexts;
    private readonly ILogger<ReadReplica> _logger;
    private volatile bool _usable;

    public ReadReplica(IOptions<DatabaseOptions> options, ILoggerFactory loggers)
    {
        _logger = loggers.CreateLogger<ReadReplica>();
        var settings = options.Value;
        MaxLag = TimeSpan.FromSeconds(settings.ReadMaxLagSeconds);
        if (string.IsNullOrWhiteSpace(settings.ReadUrl))
        {
            return;
        }

        (_source, _contexts) = DataServices.ReadOnlyPool(
            settings.ReadUrl, "healthcare-api-read", settings.PoolMax, Math.Min(settings.ConnectTimeoutSeconds, 2), settings, loggers);
    }

    public bool IsConfigured => _source is not null;

    /// <summary>True when reads may go to the replica now.</summary>
    public bool IsUsable => _usable;

    public TimeSpan MaxLag { get; }

    /// <summary>The lag seen by the last check; null when the replica could not be reached (or none is set).</summary>
    public double? LagSeconds { get; private set; }

    /// <summary>A read-only (no tracking) context on the replica; dispose it to return it to the pool.</summary>
    public HealthcareDbContext CreateContext() =>
        _contexts?.CreateDbContext() ?? throw new InvalidOperationException("No read replica is configured.");

    internal async Task CheckAsync(CancellationToken cancellationToken)
    {
        if (_source is null)
        {
            return;
        }

        try
        {
            await using var command = _source.CreateCommand(LagQuery);
            command.CommandTimeout = 2;
            LagSeconds = (double)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            LagSeconds = null;
        }

        var usable = LagSeconds is { } lag && lag <= MaxLag.TotalSeconds;
        if (usable != _usable)
        {
            _usable = usable;
            if (usable)
            {
                LogUsable(_logger);
            }
            else
            {
                LogUnusable(_logger, LagSeconds is null ? "it cannot be reached" : "it lags more than DB_READ_MAX_LAG_SECONDS");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_source is not null)
        {
            await _source.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Read replica in use.")]
    private static partial void LogUsable(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Read replica not used: {Reason}; reads go to the primary.")]
    private static partial void LogUnusable(ILogger logger, string reason);
}

/// <summary>Checks the read replica's reachability and lag every second.</summary>
public sealed class ReplicaMonitor(ReadReplica replica) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!replica.IsConfigured)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            await replica.CheckAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
