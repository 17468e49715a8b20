using System.Diagnostics;
using Healthcare.ServiceDefaults.Hosting;
using Healthcare.ServiceDefaults.Logging;
using Healthcare.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Serilog;
using Serilog.Context;
using Serilog.Core;
using Serilog.Events;

namespace Healthcare.IntegrationTests.Logging;

/// <summary>
/// The PostgreSQL sink: events are written in batches off the caller's thread with every field; a full buffer or a
/// refused write drops events and counts them, and logging never throws or waits.
/// </summary>
public sealed partial class LogStoreTests(LogStoreDatabase store) : IClassFixture<LogStoreDatabase>
{
    [Fact]
    public async Task AnEventIsStoredWithItsLevelTimeMessageIdsSourceAndProperties()
    {
        var application = Unique("fields");
        var sink = NewSink(application);
        using var activity = new Activity("log-store-test").SetIdFormat(ActivityIdFormat.W3C).Start();
        using (var logger = JsonLogging.Configure(new LoggerConfiguration(), LogEventLevel.Information, application).WriteTo.Sink(sink).CreateLogger())
        using (LogContext.PushProperty("RequestId", "req-fields-1"))
        {
            logger.ForContext(Constants.SourceContextPropertyName, "Healthcare.Worker.Jobs.ExportJob")
                .Error(new InvalidOperationException("export storage refused"), "Export {ExportId} failed after {Attempts} attempts", 77, 3);
        }

        await using var connection = new NpgsqlConnection(store.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT level, message, message_template, exception_type, exception, request_id, trace_id, span_id, instance, source,
                   properties ->> 'ExportId', properties ->> 'Attempts', properties ->> 'Application', logged_at
            FROM log_events WHERE application = $1
            """, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = application });
        await using var row = await command.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync(), "the event was not stored");
        Assert.Equal((short)LogEventLevel.Error, row.GetInt16(0));
        Assert.Equal("Export 77 failed after 3 attempts", row.GetString(1));
        Assert.Equal("Export {ExportId} failed after {Attempts} attempts", row.GetString(2));
        Assert.Equal("System.InvalidOperationException", row.GetString(3));
        Assert.Contains("export storage refused", row.GetString(4), StringComparison.Ordinal);
        Assert.Equal("req-fields-1", row.GetString(5));
        Assert.Equal(activity.TraceId.ToHexString(), row.GetString(6));
        Assert.Equal(activity.SpanId.ToHexString(), row.GetString(7));
        Assert.Equal("test-instance", row.GetString(8));
        Assert.Equal("Healthcare.Worker.Jobs.ExportJob", row.GetString(9));
        Assert.Equal(("77", "3", application), (row.GetString(10), row.GetString(11), row.GetString(12)));
        Assert.InRange(row.GetFieldValue<DateTimeOffset>(13), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.False(await row.ReadAsync());
    }

    [Fact]
    public async Task AFullBufferDropsAndCountsEventsWithoutEverMakingTheCallerWait()
    {
        var application = Unique("overflow");
        var metrics = MetricTotals.NewMetrics();
        using var totals = new MetricTotals(metrics);
        var sink = NewSink(application, bufferSize: 100, metrics: metrics);
        const int sent = 20_000;

        var clock = Stopwatch.StartNew();
        using (var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger())
        {
            for (var i = 0; i < sent; i++)
            {
                logger.Information("Event {Number} of the overflow test", i);
            }

            clock.Stop();
        }

        var stored = await store.CountAsync(application);
        Assert.True(sink.DroppedCount > 0, "nothing was dropped: the buffer never filled");
        Assert.Equal(sent, stored + sink.DroppedCount);
        Assert.Equal(sink.DroppedCount, totals["healthcare.log.events.dropped/buffer_full"]);
        Assert.Equal(stored, totals["healthcare.log.events.stored"]);
        // 20,000 events through a 100-event buffer while PostgreSQL writes: only possible if nobody waited for it.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"logging took {clock.Elapsed}");
    }

    [Fact]
    public async Task WritesThatFailAreDroppedCountedAndReportedOnStdoutAndLoggingGoesOn()
    {
        var unmigrated = await TestServers.CreateDatabaseAsync("logstore_missing");
        try
        {
            var metrics = MetricTotals.NewMetrics();
            using var totals = new MetricTotals(metrics);
            var reports = new List<LogEvent>();
            var diagnostics = new LoggerConfiguration().WriteTo.Sink(new Collector(reports)).CreateLogger();
            var sink = new PostgresLogSink(
                new PostgresLogSinkSettings(Healthcare.Core.Configuration.PostgresConnectionString.Parse(unmigrated).ConnectionString, "missing", "test-instance", 1_000),
                metrics, diagnostics);

            using (var logger = new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger())
            {
                for (var i = 0; i < 25; i++)
                {
                    logger.Warning("Event {Number} into a database without the table", i);
                }
            }

            Assert.Equal(25, sink.DroppedCount);
            Assert.Equal(25, totals["healthcare.log.events.dropped/write_failed"]);
            var report = Assert.Single(reports);
            Assert.Equal(LogEventLevel.Warning, report.Level);
            Assert.Contains("log_events table is missing", report.RenderMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }
        finally
        {
            await TestServers.DropDatabaseAsync(unmigrated);
        }
    }

    [Theory]
    [InlineData("warning", "debug", new[] { "Debug", "Information", "Warning", "Error" })]
    [InlineData("info", "warning", new[] { "Warning", "Error" })]
    [InlineData("info", "off", new string[0])]
    public async Task LogStoreLevelChoosesWhatIsStoredWhateverGoesToStdout(string logLevel, string storeLevel, string[] stored)
    {
        var application = Unique("levels");
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = store.Url,
            ["LOG_LEVEL"] = logLevel,
            ["LOG_STORE_LEVEL"] = storeLevel,
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddJsonLogging(application);
        await using (var provider = services.BuildServiceProvider())
        {
            var logger = provider.GetRequiredService<ILogger<LogStoreTests>>();
            foreach (var level in new[] { LogLevel.Trace, LogLevel.Debug, LogLevel.Information, LogLevel.Warning, LogLevel.Error })
            {
                LogAtLevel(logger, level);
            }

            Assert.Equal(storeLevel == "off", provider.GetRequiredService<LogStoreState>().Sink is null);
        }

        await using var connection = new NpgsqlConnection(store.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT level FROM log_events WHERE application = $1 AND message = 'An event of the level test' ORDER BY level", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = application });
        var levels = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                levels.Add(((LogEventLevel)reader.GetInt16(0)).ToString());
            }
        }

        Assert.Equal(stored, levels);
    }

    private PostgresLogSink NewSink(string application, int bufferSize = 10_000, LogStoreMetrics? metrics = null) =>
        new(new PostgresLogSinkSettings(store.ConnectionString, application, "test-instance", bufferSize) { FlushInterval = TimeSpan.FromMilliseconds(100) },
            metrics ?? MetricTotals.NewMetrics(), Logger.None);

    [LoggerMessage(Message = "An event of the level test")]
    private static partial void LogAtLevel(Microsoft.Extensions.Logging.ILogger logger, LogLevel level);

    private static string Unique(string purpose) => $"test-{purpose}-{Guid.NewGuid():N}";

    private sealed class Collector(List<LogEvent> events) : ILogEventSink
    {
        public void Emit(LogEvent logEvent)
        {
            lock (events)
            {
                events.Add(logEvent);
            }
        }
    }
}
