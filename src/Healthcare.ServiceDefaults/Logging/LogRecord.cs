using System.Globalization;
using System.Text;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace Healthcare.ServiceDefaults.Logging;

/// <summary>
/// One stored log event: a row of <c>log_events</c>. The id is a UUIDv7 made from the event's own time, so the live
/// tail can link to an event before it is written and a lookup by id finds its day's partition.
/// </summary>
public sealed record LogRecord(
    Guid Id,
    DateTimeOffset Time,
    LogEventLevel Level,
    string Message,
    string MessageTemplate,
    string? ExceptionType,
    string? Exception,
    string? RequestId,
    string? TraceId,
    string? SpanId,
    string Instance,
    string? Source,
    string Application,
    string PropertiesJson)
{
    public const int MaxMessageLength = 8_000;
    public const int MaxExceptionLength = 32_000;
    public const int MaxPropertiesLength = 32_000;

    private static readonly JsonValueFormatter Json = new(typeTagName: "$type");

    /// <summary>Captures what a sink receives; properties have already been through PHI redaction.</summary>
    public static LogRecord From(LogEvent logEvent, string instance, string application)
    {
        return new LogRecord(
            Guid.CreateVersion7(logEvent.Timestamp),
            logEvent.Timestamp.ToUniversalTime(),
            logEvent.Level,
            Clean(logEvent.RenderMessage(CultureInfo.InvariantCulture), MaxMessageLength),
            Clean(logEvent.MessageTemplate.Text, MaxMessageLength),
            logEvent.Exception?.GetType().FullName,
            logEvent.Exception is { } exception ? Clean(exception.ToString(), MaxExceptionLength) : null,
            Text(logEvent, "RequestId"),
            logEvent.TraceId?.ToHexString(),
            logEvent.SpanId?.ToHexString(),
            instance,
            Text(logEvent, "SourceContext"),
            Text(logEvent, "Application") ?? application,
            PropertiesAsJson(logEvent));
    }

    /// <summary>The time a UUIDv7 carries (millisecond precision): where to look for the event with that id.</summary>
    public static DateTimeOffset TimeOf(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        long milliseconds = 0;
        for (var i = 0; i < 6; i++)
        {
            milliseconds = (milliseconds << 8) | bytes[i];
        }

        return DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
    }

    private static string? Text(LogEvent logEvent, string property) =>
        logEvent.Properties.TryGetValue(property, out var value) && value is ScalarValue { Value: { } scalar }
            ? Clean(Convert.ToString(scalar, CultureInfo.InvariantCulture) ?? "", 512)
            : null;

    private static string PropertiesAsJson(LogEvent logEvent)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        writer.Write('{');
        var first = true;
        foreach (var (name, value) in logEvent.Properties)
        {
            if (!first)
            {
                writer.Write(',');
            }

            first = false;
            JsonValueFormatter.WriteQuotedJsonString(name, writer);
            writer.Write(':');
            Json.Format(value, writer);
        }

        writer.Write('}');
        var json = writer.ToString();
        // PostgreSQL's jsonb refuses the NUL character, even escaped.
        json = json.Replace("\\u0000", "\\ufffd", StringComparison.Ordinal);
        return json.Length <= MaxPropertiesLength
            ? Clean(json, int.MaxValue)
            : $$"""{"$truncated":{{json.Length}}}""";
    }

    /// <summary>
    /// Text PostgreSQL accepts: no NUL characters and no lone UTF-16 surrogates (one bad value would otherwise fail
    /// the whole batch), and no longer than <paramref name="maxLength"/>.
    /// </summary>
    public static string Clean(string value, int maxLength)
    {
        if (value.Length > maxLength)
        {
            value = value[..maxLength];
            if (char.IsHighSurrogate(value[^1]))
            {
                value = value[..^1];
            }
        }

        var clean = true;
        for (var i = 0; i < value.Length && clean; i++)
        {
            var c = value[i];
            clean = c != '\0' && (!char.IsSurrogate(c) ||
                (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[++i])));
        }

        if (clean)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[++i]);
            }
            else
            {
                builder.Append(c == '\0' || char.IsSurrogate(c) ? '\ufffd' : c);
            }
        }

        return builder.ToString();
    }
}
