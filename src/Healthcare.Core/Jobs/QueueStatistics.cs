using Hangfire;
using Healthcare.Core.Observability;

namespace Healthcare.Core.Jobs;

/// <summary>What the job queues hold at one moment.</summary>
public sealed record QueueSnapshot(
    IReadOnlyDictionary<string, long> EnqueuedByQueue, long Processing, long Scheduled, long Failed, long Succeeded, DateTimeOffset ReadAt);

/// <summary>
/// Queue depth per queue, processing, scheduled and failed counts, for metrics and health checks. One read of the
/// storage serves every caller for a few seconds, so frequent scrapes by many pods cost the database little.
/// </summary>
public sealed class QueueStatistics
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    private readonly RefreshingValue<QueueSnapshot> _snapshot;

    public QueueStatistics(JobStorage storage, TimeProvider clock) =>
        // Hangfire's monitoring API is synchronous; it runs on a pool thread, never on a scrape's.
        _snapshot = new RefreshingValue<QueueSnapshot>(MaxAge, _ => Task.Run(() => Read(storage, clock)), clock);

    public Task<QueueSnapshot> ReadAsync(CancellationToken cancellationToken = default) => _snapshot.ReadAsync(cancellationToken);

    /// <summary>The last snapshot without waiting (for metric callbacks); null until the first read finished.</summary>
    public QueueSnapshot? Latest() => _snapshot.Latest();

    private static QueueSnapshot Read(JobStorage storage, TimeProvider clock)
    {
        var monitoring = storage.GetMonitoringApi();
        var stats = monitoring.GetStatistics();
        var enqueued = JobQueues.All.ToDictionary(queue => queue, monitoring.EnqueuedCount);
        return new QueueSnapshot(enqueued, stats.Processing, stats.Scheduled, stats.Failed, stats.Succeeded, clock.GetUtcNow());
    }
}
