using System.Diagnostics.Metrics;

namespace Healthcare.ServiceDefaults.Logging;

/// <summary>
/// The stored log's instruments on the <c>Healthcare.Logging</c> meter: events stored and events dropped (by
/// reason). A growing drop count means the buffer overflowed or PostgreSQL refused the writes.
/// </summary>
public sealed class LogStoreMetrics
{
    public const string MeterName = "Healthcare.Logging";
    public const string BufferFull = "buffer_full";
    public const string WriteFailed = "write_failed";

    private readonly Counter<long> _dropped;
    private readonly Counter<long> _stored;

    public LogStoreMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        _dropped = Meter.CreateCounter<long>(
            "healthcare.log.events.dropped", "{event}", "Log events not stored because the buffer was full or the write failed");
        _stored = Meter.CreateCounter<long>("healthcare.log.events.stored", "{event}", "Log events written to the log store");
    }

    public Meter Meter { get; }

    public void Dropped(long count, string reason) =>
        _dropped.Add(count, new KeyValuePair<string, object?>("reason", reason));

    public void Stored(long count) => _stored.Add(count);
}
