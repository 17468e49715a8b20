using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using Serilog.Events;

namespace Healthcare.ServiceDefaults.Logging;

/// <summary>
/// The live tail's wire format: every process publishes the events it stores, in batches, on a Redis channel named
/// after the database it stores them in (so instances sharing a log store share a tail); the API relays them to the
/// browsers watching <c>/logger</c>. Publishing only happens while someone watches: the API keeps
/// <see cref="ListenersKey"/> alive during a tail.
/// </summary>
public static class LogTail
{
    public const int MaxMessageLength = 2_000;

    /// <summary>How long the listeners key outlives the last refresh by a tailing API instance.</summary>
    public static readonly TimeSpan ListenersKeyLifetime = TimeSpan.FromSeconds(30);

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Channel(string connectionString) => $"healthcare:logs:{Scope(connectionString)}:tail";

    public static string ListenersKey(string connectionString) => $"healthcare:logs:{Scope(connectionString)}:listeners";

    public static byte[] Serialize(IEnumerable<LogRecord> records) =>
        JsonSerializer.SerializeToUtf8Bytes(records.Select(TailEvent.From).ToList(), Json);

    public static List<TailEvent> Deserialize(ReadOnlySpan<byte> message) =>
        JsonSerializer.Deserialize<List<TailEvent>>(message, Json) ?? [];

    private static string Scope(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database}";
    }
}

/// <summary>What the live tail shows of an event; the rest is on its detail page.</summary>
public sealed record TailEvent(
    Guid Id,
    DateTimeOffset Time,
    LogEventLevel Level,
    string Message,
    string? RequestId,
    string? TraceId,
    string Instance,
    string? Source,
    string Application)
{
    public static TailEvent From(LogRecord record) => new(
        record.Id,
        record.Time,
        record.Level,
        record.Message.Length <= LogTail.MaxMessageLength ? record.Message : LogRecord.Clean(record.Message, LogTail.MaxMessageLength) + "…",
        record.RequestId,
        record.TraceId,
        record.Instance,
        record.Source,
        record.Application);
}
