using Hangfire;

namespace Healthcare.Core.Jobs;

/// <summary>What the job queues hold at one moment.</summary>
public sealed record QueueSnapshot(
    IReadOnlyDictionary<string, long> EnqueuedByQueue, long Processing, long Scheduled, long Failed, long Succeeded, DateTimeOffset ReadAt);

/// <summary>
/// Queue depth per queue, processing, scheduled and failed counts, for metrics and health checks. One read of the
/// storage serves every caller for a few seconds, so frequent scrapes by many pods cost the database little.
/// </summary>
public sealed class QueueStatistics(JobStorage storage, TimeProvider clock) : IDisposable
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private QueueSnapshot? _last;

    public async Task<QueueSnapshot> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (Fresh(_last) is { } cached)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh(_last) is { } raced)
            {
                return raced;
            }

            // Hangfire's monitoring API is synchronous; keep it off the caller's thread.
            _last = await Task.Run(Read, cancellationToken);
            return _last;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private QueueSnapshot? Fresh(QueueSnapshot? snapshot) =>
        snapshot is not null && clock.GetUtcNow() - snapshot.ReadAt < MaxAge ? snapshot : null;

    private QueueSnapshot Read()
    {
        var monitoring = storage.GetMonitoringApi();
        var stats = monitoring.GetStatistics();
        var enqueued = JobQueues.All.ToDictionary(queue => queue, monitoring.EnqueuedCount);
        return new QueueSnapshot(enqueued, stats.Processing, stats.Scheduled, stats.Failed, stats.Succeeded, clock.GetUtcNow());
    }
}
