using System.Globalization;
using System.Text;
using Healthcare.ServiceDefaults.Logging;
using Serilog.Events;

namespace Healthcare.Api.Features.Logging;

/// <summary>
/// The filters of <c>/logger</c>, read from its query string: minimum level, time range (UTC), text in the message,
/// request id, trace id, instance and source (exact), and the keyset cursor of the page.
/// </summary>
public sealed record LogFilter
{
    public const int MaxText = 200;

    public LogEventLevel? Level { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? To { get; init; }

    public string? Text { get; init; }

    public string? RequestId { get; init; }

    public string? TraceId { get; init; }

    public string? Instance { get; init; }

    public string? Source { get; init; }

    /// <summary>Only events older than this one (the last row of the previous page).</summary>
    public LogCursor? Before { get; init; }

    public static readonly IReadOnlyList<(string Value, string Label)> Levels =
    [
        ("trace", "Trace and up"), ("debug", "Debug and up"), ("info", "Information and up"), ("warning", "Warning and up"),
        ("error", "Error and up"), ("fatal", "Fatal"),
    ];

    public static bool TryParse(IQueryCollection query, out LogFilter filter, out string? error)
    {
        filter = new LogFilter();
        error = null;
        var errors = new List<string>();

        var level = Value(query, "level");
        if (level is not null)
        {
            if (level == "fatal")
            {
                filter = filter with { Level = LogEventLevel.Fatal };
            }
            else if (LoggingOptions.TryParseLevel(level, out var parsed))
            {
                filter = filter with { Level = parsed };
            }
            else
            {
                errors.Add("level must be one of trace, debug, info, warning, error, fatal");
            }
        }

        filter = filter with
        {
            From = Time(query, "from", errors),
            To = Time(query, "to", errors),
            Text = Limited(query, "text", MaxText, errors),
            RequestId = Limited(query, "requestId", 128, errors),
            TraceId = Limited(query, "traceId", 64, errors)?.ToLowerInvariant(),
            Instance = Limited(query, "instance", 256, errors),
            Source = Limited(query, "source", 512, errors),
        };

        if (Value(query, "before") is { } before)
        {
            if (LogCursor.TryParse(before, out var cursor))
            {
                filter = filter with { Before = cursor };
            }
            else
            {
                errors.Add("before is not a page cursor of this page");
            }
        }

        error = errors.Count == 0 ? null : string.Join("; ", errors);
        return error is null;
    }

    /// <summary>True when the live tail should show <paramref name="e"/> (the time range does not apply to it).</summary>
    public bool Matches(TailEvent e) =>
        (Level is null || e.Level >= Level) &&
        (Text is null || e.Message.Contains(Text, StringComparison.OrdinalIgnoreCase)) &&
        (RequestId is null || e.RequestId == RequestId) &&
        (TraceId is null || e.TraceId == TraceId) &&
        (Instance is null || e.Instance == Instance) &&
        (Source is null || e.Source == Source);

    /// <summary>The query string of these filters, optionally with a cursor; empty values are left out.</summary>
    public string ToQueryString(LogCursor? before = null)
    {
        var pairs = new List<(string, string)>();
        if (Level is { } level)
        {
            pairs.Add(("level", LevelValue(level)));
        }

        Add("from", From?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
        Add("to", To?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
        Add("text", Text);
        Add("requestId", RequestId);
        Add("traceId", TraceId);
        Add("instance", Instance);
        Add("source", Source);
        Add("before", before?.ToString());

        var builder = new StringBuilder();
        foreach (var (name, value) in pairs)
        {
            builder.Append(builder.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }

        return builder.ToString();

        void Add(string name, string? value)
        {
            if (value is not null)
            {
                pairs.Add((name, value));
            }
        }
    }

    public static string LevelValue(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose => "trace",
        LogEventLevel.Debug => "debug",
        LogEventLevel.Information => "info",
        LogEventLevel.Warning => "warning",
        LogEventLevel.Error => "error",
        _ => "fatal",
    };

    private static string? Value(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count > 0 && values[^1] is { } value && !string.IsNullOrWhiteSpace(value)
            ? value.Trim()
            : null;

    private static string? Limited(IQueryCollection query, string name, int max, List<string> errors)
    {
        var value = Value(query, name);
        if (value is not null && value.Length > max)
        {
            errors.Add($"{name} is longer than {max} characters");
            return null;
        }

        return value;
    }

    /// <summary>ISO 8601; without an offset (as a browser's datetime-local field sends it) the time is UTC.</summary>
    private static DateTimeOffset? Time(IQueryCollection query, string name, List<string> errors)
    {
        var value = Value(query, name);
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        errors.Add($"{name} is not a date and time (yyyy-MM-ddTHH:mm, UTC)");
        return null;
    }
}

/// <summary>A position in the newest-first order: the time and id of the last event shown.</summary>
public readonly record struct LogCursor(DateTimeOffset Time, Guid Id)
{
    public override string ToString() =>
        $"{(Time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10}_{Id:N}";

    public static bool TryParse(string value, out LogCursor cursor)
    {
        cursor = default;
        var separator = value.IndexOf('_', StringComparison.Ordinal);
        if (separator <= 0 ||
            !long.TryParse(value.AsSpan(0, separator), NumberStyles.None, CultureInfo.InvariantCulture, out var micros) ||
            micros > 253_402_300_799_000_000 ||
            !Guid.TryParseExact(value.AsSpan(separator + 1), "N", out var id))
        {
            return false;
        }

        cursor = new LogCursor(DateTimeOffset.UnixEpoch.AddTicks(micros * 10), id);
        return true;
    }
}
