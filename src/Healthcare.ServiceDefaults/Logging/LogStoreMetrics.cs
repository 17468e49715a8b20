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

    private long _bufferFull;
    private long _writeFailed;
    private long _stored;

    public LogStoreMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        // Observed at each collection rather than added: the logging pipeline (and this meter) exists before the
        // metrics pipeline listens, and every series must be there from the first scrape, at zero.
        Meter.CreateObservableCounter("healthcare.log.events.dropped", () => new[]
        {
            new Measurement<long>(Interlocked.Read(ref _bufferFull), new KeyValuePair<string, object?>("reason", BufferFull)),
            new Measurement<long>(Interlocked.Read(ref _writeFailed), new KeyValuePair<string, object?>("reason", WriteFailed)),
        }, "{event}", "Log events not stored because the buffer was full or the write failed");
        Meter.CreateObservableCounter("healthcare.log.events.stored", () => Interlocked.Read(ref _stored), "{event}", "Log events written to the log store");
    }

    public Meter Meter { get; }

    public void Dropped(long count, string reason)
    {
        if (reason == BufferFull)
        {
            Interlocked.Add(ref _bufferFull, count);
        }
        else
        {
            Interlocked.Add(ref _writeFailed, count);
        }
    }

    public void Stored(long count) => Interlocked.Add(ref _stored, count);
}
