using System.Globalization;
using System.Text;
using Healthcare.ServiceDefaults.Logging;
using Npgsql;
using NpgsqlTypes;
using Serilog.Events;

namespace Healthcare.Api.Features.Logging;

/// <summary>
/// Reads the stored log: a page of events newest first (keyset paging on <c>(logged_at, id)</c>, so page 1000 costs
/// what page 1 does) and single events by id. Every filter maps onto an index of <c>log_events</c>; see the log
/// store migration and docs/operations/logging.md for the plans and timings.
/// </summary>
public sealed class LogSearch(NpgsqlDataSource dataSource)
{
    public const int PageSize = 50;

    private const string Columns =
        "id, logged_at, level, message, message_template, exception_type, exception, request_id, trace_id, span_id, instance, source, application";

    /// <summary>The list leaves out the long columns that only the detail page shows.</summary>
    private const string ListColumns =
        "id, logged_at, level, message, '', exception_type, NULL::text, request_id, trace_id, span_id, instance, source, application";

    /// <summary>One page, newest first; <see cref="LogPage.Older"/> continues it when there is more.</summary>
    public async Task<LogPage> FindAsync(LogFilter filter, CancellationToken cancellationToken, int pageSize = PageSize)
    {
        await using var command = BuildQuery(filter, pageSize);
        var events = new List<LogRecord>(pageSize + 1);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                events.Add(Read(reader, withProperties: false));
            }
        }

        LogCursor? older = null;
        if (events.Count > pageSize)
        {
            events.RemoveAt(pageSize);
            older = new LogCursor(events[^1].Time, events[^1].Id);
        }

        return new LogPage(events, older);
    }

    /// <summary>The query behind <see cref="FindAsync"/>; public so its plan can be examined.</summary>
    public NpgsqlCommand BuildQuery(LogFilter filter, int pageSize = PageSize)
    {
        var sql = new StringBuilder($"SELECT {ListColumns} FROM log_events WHERE TRUE");
        var command = dataSource.CreateCommand();
        if (filter.Level is { } level and > LogEventLevel.Verbose)
        {
            // A literal, not a parameter: the partial indexes for warnings and errors match only a known level.
            sql.Append(CultureInfo.InvariantCulture, $" AND level >= {(int)level}");
        }

        Condition("logged_at >= {0}", filter.From, NpgsqlDbType.TimestampTz);
        Condition("logged_at < {0}", filter.To, NpgsqlDbType.TimestampTz);
        Condition("message ILIKE {0}", filter.Text is null ? null : $"%{EscapeLike(filter.Text)}%", NpgsqlDbType.Text);
        Condition("request_id = {0}", filter.RequestId, NpgsqlDbType.Text);
        Condition("trace_id = {0}", filter.TraceId, NpgsqlDbType.Text);
        Condition("instance = {0}", filter.Instance, NpgsqlDbType.Text);
        Condition("source = {0}", filter.Source, NpgsqlDbType.Text);
        if (filter.Before is { } before)
        {
            sql.Append(CultureInfo.InvariantCulture, $" AND (logged_at, id) < (${command.Parameters.Count + 1}, ${command.Parameters.Count + 2})");
            command.Parameters.Add(new NpgsqlParameter { Value = before.Time, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter { Value = before.Id, NpgsqlDbType = NpgsqlDbType.Uuid });
        }

        sql.Append(CultureInfo.InvariantCulture, $" ORDER BY logged_at DESC, id DESC LIMIT {pageSize + 1}");
        command.CommandText = sql.ToString();
        command.CommandTimeout = 15;
        return command;

        void Condition(string template, object? value, NpgsqlDbType type)
        {
            if (value is not null)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
                sql.Append(" AND ").Append(string.Format(CultureInfo.InvariantCulture, template, "$" + command.Parameters.Count));
            }
        }
    }

    /// <summary>One event with all its properties, or null. The UUIDv7 id tells the day partition to look in.</summary>
    public async Task<LogRecord?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        var time = LogRecord.TimeOf(id);
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns}, properties::text FROM log_events WHERE logged_at >= $1 AND logged_at < $2 AND id = $3");
        command.Parameters.Add(new NpgsqlParameter { Value = time.AddMilliseconds(-1), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = time.AddMilliseconds(2), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = id, NpgsqlDbType = NpgsqlDbType.Uuid });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader, withProperties: true) : null;
    }

    private static LogRecord Read(NpgsqlDataReader reader, bool withProperties) => new(
        reader.GetGuid(0),
        reader.GetFieldValue<DateTimeOffset>(1),
        (LogEventLevel)reader.GetInt16(2),
        reader.GetString(3),
        reader.GetString(4),
        Text(reader, 5),
        Text(reader, 6),
        Text(reader, 7),
        Text(reader, 8),
        Text(reader, 9),
        reader.GetString(10),
        Text(reader, 11),
        reader.GetString(12),
        withProperties ? reader.GetString(13) : "{}");

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}

/// <summary>A page of events and the cursor of the next (older) page, if any.</summary>
public sealed record LogPage(IReadOnlyList<LogRecord> Events, LogCursor? Older);
