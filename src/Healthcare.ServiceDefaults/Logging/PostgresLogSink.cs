using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;
using Serilog.Core;
using Serilog.Debugging;
using Serilog.Events;
using StackExchange.Redis;

namespace Healthcare.ServiceDefaults.Logging;

/// <summary>
/// Stores log events in PostgreSQL (<c>log_events</c>, partitioned by day) and publishes them for the live tail,
/// off the request path: <see cref="Emit"/> only puts the event in a bounded buffer and never waits. When the
/// buffer is full the event is dropped and counted; a background task writes the buffer in batches with binary
/// COPY, on its own small connection pool so that logging cannot starve requests of connections.
/// </summary>
public sealed class PostgresLogSink : ILogEventSink, IDisposable
{
    public const int BatchSize = 1_000;

    private const string Copy = """
        COPY log_events (id, logged_at, level, message, message_template, exception_type, exception, request_id, trace_id,
                         span_id, instance, source, application, properties)
        FROM STDIN (FORMAT BINARY)
        """;

    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ReportInterval = TimeSpan.FromMinutes(1);

    private readonly Channel<LogEvent> _buffer;
    private readonly NpgsqlDataSource _dataSource;
    private readonly LogStoreMetrics _metrics;
    private readonly Serilog.ILogger _diagnostics;
    private readonly TimeProvider _clock;
    private readonly string _instance;
    private readonly string _application;
    private readonly TimeSpan _flushInterval;
    private readonly TailPublisher _tail;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HashSet<DateOnly> _partitions = [];
    private readonly Task _writer;

    private long _dropped;
    private long _stored;
    private long _droppedSinceReport;
    private DateTimeOffset _lastReport = DateTimeOffset.MinValue;
    private bool _failing;

    public PostgresLogSink(PostgresLogSinkSettings settings, LogStoreMetrics metrics, Serilog.ILogger diagnostics)
    {
        _metrics = metrics;
        _diagnostics = diagnostics;
        _clock = settings.Clock ?? TimeProvider.System;
        _instance = settings.Instance;
        _application = settings.Application;
        _flushInterval = settings.FlushInterval;
        _buffer = Channel.CreateBounded<LogEvent>(new BoundedChannelOptions(settings.BufferSize)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });

        var connection = new NpgsqlConnectionStringBuilder(settings.ConnectionString)
        {
            MaxPoolSize = 2,
            MinPoolSize = 0,
            CommandTimeout = 15,
            // Short, so that an unreachable server delays neither batches nor shutdown for long.
            Timeout = 5,
            ApplicationName = settings.Application + "-logs",
        };
        // No logger factory: the driver's own messages would come back here.
        _dataSource = NpgsqlDataSource.Create(connection.ConnectionString);
        _tail = new TailPublisher(settings.Redis, LogTail.Channel(settings.ConnectionString), LogTail.ListenersKey(settings.ConnectionString), _clock);
        _writer = Task.Run(RunAsync);
    }

    /// <summary>Events dropped by this process since it started (buffer full or write failed).</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Events this process has written.</summary>
    public long StoredCount => Interlocked.Read(ref _stored);

    public void Emit(LogEvent logEvent)
    {
        if (!_buffer.Writer.TryWrite(logEvent))
        {
            Drop(1, LogStoreMetrics.BufferFull);
        }
    }

    /// <summary>Writes what is buffered (waiting up to a few seconds), then stops.</summary>
    public void Dispose()
    {
        _buffer.Writer.TryComplete();
        _stopping.Cancel();
        if (!_writer.Wait(ShutdownTimeout))
        {
            // The writer may still be inside a database call; it ends by itself once the buffer is empty.
            SelfLog.WriteLine("Log store: {0} events still buffered at shutdown were not written", _buffer.Reader.Count);
        }

        _dataSource.Dispose();
    }

    private async Task RunAsync()
    {
        var reader = _buffer.Reader;
        var batch = new List<LogEvent>(BatchSize);
        var failures = 0;
        while (await reader.WaitToReadAsync())
        {
            if (reader.Count < BatchSize)
            {
                // Let a batch gather; the live tail still sees an event well within two seconds.
                await DelayAsync(_flushInterval);
            }

            batch.Clear();
            while (batch.Count < BatchSize && reader.TryRead(out var logEvent))
            {
                batch.Add(logEvent);
            }

            var records = ToRecords(batch);
            try
            {
                await _tail.PublishAsync(records);
            }
            catch (Exception e)
            {
                SelfLog.WriteLine("Log store: the live tail could not be published: {0}", e.GetType().Name);
            }

            if (await WriteAsync(records))
            {
                failures = 0;
            }
            else
            {
                failures++;
                // While PostgreSQL is away the buffer fills and further events are dropped and counted.
                await DelayAsync(TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, failures - 1))));
            }
        }
    }

    private async Task DelayAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _clock, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: write what is left at once.
        }
    }

    private List<LogRecord> ToRecords(List<LogEvent> batch)
    {
        var records = new List<LogRecord>(batch.Count);
        foreach (var logEvent in batch)
        {
            try
            {
                records.Add(LogRecord.From(logEvent, _instance, _application));
            }
            catch (Exception e)
            {
                // A property whose ToString throws; the console output has the event.
                SelfLog.WriteLine("Log store: an event could not be converted: {0}", e.GetType().Name);
                Drop(1, LogStoreMetrics.WriteFailed);
            }
        }

        return records;
    }

    private async Task<bool> WriteAsync(List<LogRecord> records)
    {
        if (records.Count == 0)
        {
            return true;
        }

        try
        {
            try
            {
                await CreatePartitionsAsync(records);
                await CopyAsync(records);
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.CheckViolation)
            {
                // No partition for a row: one was dropped or never made since this process last looked.
                _partitions.Clear();
                await CreatePartitionsAsync(records);
                await CopyAsync(records);
            }

            Interlocked.Add(ref _stored, records.Count);
            _metrics.Stored(records.Count);
            if (_failing)
            {
                _failing = false;
                _diagnostics.Information("Log events are stored again; {Dropped} were dropped meanwhile", Interlocked.Exchange(ref _droppedSinceReport, 0));
            }

            return true;
        }
        catch (Exception e)
        {
            // Whatever went wrong, logging goes on: the batch is counted as dropped and the next one is tried.
            Drop(records.Count, LogStoreMetrics.WriteFailed);
            Report(e);
            return false;
        }
    }

    private async Task CreatePartitionsAsync(List<LogRecord> records)
    {
        foreach (var day in records.Select(r => DateOnly.FromDateTime(r.Time.UtcDateTime)).Distinct())
        {
            if (_partitions.Contains(day))
            {
                continue;
            }

            await using var command = _dataSource.CreateCommand("SELECT log_events_create_partitions($1, 2)");
            command.Parameters.Add(new NpgsqlParameter { Value = day, NpgsqlDbType = NpgsqlDbType.Date });
            await command.ExecuteScalarAsync();
            _partitions.Add(day);
        }
    }

    private async Task CopyAsync(List<LogRecord> records)
    {
        await using var connection = await _dataSource.OpenConnectionAsync();
        await using var import = await connection.BeginBinaryImportAsync(Copy);
        foreach (var r in records)
        {
            await import.StartRowAsync();
            await import.WriteAsync(r.Id, NpgsqlDbType.Uuid);
            await import.WriteAsync(r.Time, NpgsqlDbType.TimestampTz);
            await import.WriteAsync((short)r.Level, NpgsqlDbType.Smallint);
            await import.WriteAsync(r.Message, NpgsqlDbType.Text);
            await import.WriteAsync(r.MessageTemplate, NpgsqlDbType.Text);
            await WriteTextAsync(import, r.ExceptionType);
            await WriteTextAsync(import, r.Exception);
            await WriteTextAsync(import, r.RequestId);
            await WriteTextAsync(import, r.TraceId);
            await WriteTextAsync(import, r.SpanId);
            await import.WriteAsync(r.Instance, NpgsqlDbType.Text);
            await WriteTextAsync(import, r.Source);
            await import.WriteAsync(r.Application, NpgsqlDbType.Text);
            await import.WriteAsync(r.PropertiesJson, NpgsqlDbType.Jsonb);
        }

        await import.CompleteAsync();
    }

    private static Task WriteTextAsync(NpgsqlBinaryImporter import, string? value) =>
        value is null ? import.WriteNullAsync() : import.WriteAsync(value, NpgsqlDbType.Text);

    private void Drop(long count, string reason)
    {
        Interlocked.Add(ref _dropped, count);
        Interlocked.Add(ref _droppedSinceReport, count);
        _metrics.Dropped(count, reason);
    }

    /// <summary>On stdout only (this sink never stores its own complaints), at most once a minute.</summary>
    private void Report(Exception e)
    {
        var now = _clock.GetUtcNow();
        if (_failing && now - _lastReport < ReportInterval)
        {
            return;
        }

        _failing = true;
        _lastReport = now;
        var dropped = Interlocked.Exchange(ref _droppedSinceReport, 0);
        if (e is PostgresException { SqlState: PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.UndefinedFunction })
        {
            _diagnostics.Warning("Log events are not stored: the log_events table is missing (run the migrator); {Dropped} dropped", dropped);
        }
        else
        {
            _diagnostics.Warning("Log events could not be stored ({ErrorType}); {Dropped} dropped", e.GetType().Name, dropped);
        }
    }

    /// <summary>Publishes batches for the live tail while some API instance has a browser watching.</summary>
    private sealed class TailPublisher(Func<IConnectionMultiplexer?>? redis, string channel, string listenersKey, TimeProvider clock)
    {
        private static readonly TimeSpan SeenFor = TimeSpan.FromSeconds(5);
        private static readonly TimeSpan UnseenFor = TimeSpan.FromMilliseconds(200);
        private static readonly TimeSpan UnavailableFor = TimeSpan.FromSeconds(10);

        private readonly RedisChannel _channel = RedisChannel.Literal(channel);
        private IConnectionMultiplexer? _connection;
        private bool _listening;
        private DateTimeOffset _nextCheck = DateTimeOffset.MinValue;

        public async Task PublishAsync(List<LogRecord> records)
        {
            if (records.Count == 0 || redis is null || !await ListeningAsync())
            {
                return;
            }

            try
            {
                await _connection!.GetSubscriber().PublishAsync(_channel, LogTail.Serialize(records), CommandFlags.FireAndForget);
            }
            catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
            {
                _listening = false;
                _nextCheck = clock.GetUtcNow() + UnavailableFor;
            }
        }

        /// <summary>
        /// Asked again on the first batch after a short while when nobody watched, so that an event emitted after a
        /// tail opened is always published; a watched tail is re-checked every few seconds.
        /// </summary>
        private async Task<bool> ListeningAsync()
        {
            var now = clock.GetUtcNow();
            if (now < _nextCheck)
            {
                return _listening;
            }

            try
            {
                _connection ??= redis!();
                _listening = _connection is not null &&
                    await _connection.GetDatabase().KeyExistsAsync(listenersKey).WaitAsync(TimeSpan.FromSeconds(1));
                _nextCheck = now + (_listening ? SeenFor : UnseenFor);
            }
            catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException or InvalidOperationException)
            {
                _listening = false;
                _nextCheck = now + UnavailableFor;
            }

            return _listening;
        }
    }
}

/// <summary>Where and as whom a <see cref="PostgresLogSink"/> stores events.</summary>
public sealed record PostgresLogSinkSettings(string ConnectionString, string Application, string Instance, int BufferSize)
{
    /// <summary>The Redis connection for the live tail; none means no tail.</summary>
    public Func<IConnectionMultiplexer?>? Redis { get; init; }

    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeProvider? Clock { get; init; }
}
