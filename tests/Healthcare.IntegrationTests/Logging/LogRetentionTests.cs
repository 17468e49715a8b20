using System.Globalization;
using System.Reflection;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Healthcare.Core.Jobs;
using Healthcare.ServiceDefaults.Logging;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace Healthcare.IntegrationTests.Logging;

/// <summary>Day partitions: made by the writers when needed, made ahead and dropped past the retention by the clean-up.</summary>
public sealed class LogRetentionTests(LogStoreDatabase store) : IClassFixture<LogStoreDatabase>
{
    private static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);

    [Fact]
    public async Task WritersCreateTheDayPartitionsTheyNeedAndTheCleanUpDropsDaysPastTheRetention()
    {
        var application = $"test-retention-{Guid.NewGuid():N}";
        var sink = new PostgresLogSink(
            new PostgresLogSinkSettings(store.ConnectionString, application, "test-instance", 1_000) { FlushInterval = TimeSpan.FromMilliseconds(50) },
            MetricTotals.NewMetrics(), Logger.None);
        using (sink)
        {
            foreach (var daysAgo in new[] { 12, 9, 8, 7, 0 })
            {
                sink.Emit(new LogEvent(
                    DateTimeOffset.UtcNow.AddDays(-daysAgo), LogEventLevel.Information, null,
                    new MessageTemplateParser().Parse($"Event of {daysAgo} days ago"), []));
            }
        }

        Assert.Equal(5, await store.CountAsync(application));
        Assert.True(await store.PartitionExistsAsync(Today.AddDays(-12)), "the writer did not create the partition it needed");

        await using (var db = TestServers.OpenDbContext(store.Url))
        {
            var (_, dropped) = await LogPartitions.MaintainAsync(db, DateTimeOffset.UtcNow, retentionDays: 7, CancellationToken.None);
            Assert.True(dropped >= 3, $"dropped {dropped} partitions");
        }

        foreach (var daysAgo in new[] { 12, 11, 9, 8 })
        {
            Assert.False(await store.PartitionExistsAsync(Today.AddDays(-daysAgo)), $"the partition of {daysAgo} days ago is still there");
        }

        foreach (var day in new[] { -7, -6, 0, 1, 2 })
        {
            Assert.True(await store.PartitionExistsAsync(Today.AddDays(day)), $"the partition of day {day} is missing");
        }

        Assert.Equal(2, await store.CountAsync(application));
    }

    [Fact]
    public async Task ConcurrentWritersOfANewDayDoNotFailEachOther()
    {
        var day = Today.AddDays(-3);
        await store.ScalarAsync<int>("SELECT log_events_drop_partitions($1)", day.AddDays(1));
        var created = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            store.ScalarAsync<int>("SELECT log_events_create_partitions($1, 1)", day)));

        Assert.Equal(1, created.Sum());
        Assert.True(await store.PartitionExistsAsync(day));
    }
}

/// <summary>The worker's daily clean-up job enforces LOG_RETENTION_DAYS on the stored log.</summary>
public sealed class WorkerLogRetentionTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task TheWorkersCleanUpJobDropsDayPartitionsOlderThanLogRetentionDays()
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var expired = today.AddDays(-4);
        var kept = today.AddDays(-2);
        await using (var db = TestServers.OpenDbContext(api.DatabaseUrl))
        {
            await db.Database.ExecuteSqlAsync($"SELECT log_events_create_partitions({expired}, 3)");
        }

        var settings = HostProcess.WorkerSettings(api.DatabaseUrl);
        settings["LOG_RETENTION_DAYS"] = "3";
        await using var worker = await HostProcess.StartServingAsync(RepositoryPaths.WorkerDll, settings);
        // The job the daily schedule runs, enqueued now; its type lives in the worker, which this test does not reference.
        var jobs = Assembly.LoadFrom(RepositoryPaths.WorkerDll).GetType("Healthcare.Worker.Jobs.MaintenanceJobs", throwOnError: true)!;
        var job = new Job(jobs, jobs.GetMethod("CleanUpAsync")!, CancellationToken.None);
        new BackgroundJobClient(api.Services.GetRequiredService<JobStorage>()).Create(job, new EnqueuedState(JobQueues.Maintenance));

        var name = $"log_events_p{expired.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}";
        for (var i = 0; i < TestTimeouts.Polls(300) && await ExistsAsync(name); i++)
        {
            await Task.Delay(100);
        }

        Assert.False(await ExistsAsync(name), "the expired day is still there:\n" + worker.Describe());
        Assert.True(await ExistsAsync($"log_events_p{kept.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}"));
        Assert.True(await ExistsAsync($"log_events_p{today.AddDays(2).ToString("yyyyMMdd", CultureInfo.InvariantCulture)}"));
    }

    private async Task<bool> ExistsAsync(string partition)
    {
        await using var db = TestServers.OpenDbContext(api.DatabaseUrl);
        return await db.Database.SqlQuery<bool>($"SELECT to_regclass({partition}) IS NOT NULL AS \"Value\"").SingleAsync();
    }
}
