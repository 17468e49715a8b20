using System.Threading.Channels;
using Healthcare.Core.Configuration;
using Healthcare.ServiceDefaults.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Healthcare.Api.Features.Logging;

/// <summary>
/// Relays the live tail from Redis to this instance's browsers: one Redis subscription per API instance however
/// many pages watch, and a listeners key kept alive while any does, which tells every process to publish its events.
/// A browser that reads too slowly loses its oldest undelivered events, never the process's memory.
/// </summary>
public sealed class LogTailHub : IAsyncDisposable
{
    private const int ClientBuffer = 1_000;
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(10);

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisChannel _channel;
    private readonly RedisKey _listenersKey;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<Channel<TailEvent>> _clients = [];
    private readonly Timer _keepAlive;
    private ChannelMessageQueue? _subscription;

    public LogTailHub(IConnectionMultiplexer redis, IOptions<DatabaseOptions> database)
    {
        _redis = redis;
        var connectionString = PostgresConnectionString.Parse(database.Value.Url).ConnectionString;
        _channel = RedisChannel.Literal(LogTail.Channel(connectionString));
        _listenersKey = LogTail.ListenersKey(connectionString);
        _keepAlive = new Timer(_ => _ = RefreshListenersKeyAsync(), null, KeepAlive, KeepAlive);
    }

    /// <summary>Starts receiving; once this returns, every event any process stores from now on reaches the reader.</summary>
    public async Task<ChannelReader<TailEvent>> SubscribeAsync(CancellationToken cancellationToken)
    {
        var client = Channel.CreateBounded<TailEvent>(new BoundedChannelOptions(ClientBuffer)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_subscription is null)
            {
                _subscription = await _redis.GetSubscriber().SubscribeAsync(_channel);
                _subscription.OnMessage(Relay);
            }

            lock (_clients)
            {
                _clients.Add(client);
            }

            // Set before the browser is told the tail is open, so that the next batch of every process is published.
            await _redis.GetDatabase().StringSetAsync(_listenersKey, "1", LogTail.ListenersKeyLifetime);
        }
        catch
        {
            lock (_clients)
            {
                _clients.Remove(client);
            }

            throw;
        }
        finally
        {
            _gate.Release();
        }

        return client.Reader;
    }

    public async Task UnsubscribeAsync(ChannelReader<TailEvent> reader)
    {
        await _gate.WaitAsync();
        try
        {
            lock (_clients)
            {
                _clients.RemoveAll(c => c.Reader == reader);
            }

            if (Watching == 0 && _subscription is not null)
            {
                // The listeners key expires by itself unless another instance keeps it alive.
                await _subscription.UnsubscribeAsync();
                _subscription = null;
            }
        }
        catch (RedisException)
        {
            _subscription = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public int Watching
    {
        get
        {
            lock (_clients)
            {
                return _clients.Count;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _keepAlive.DisposeAsync();
        if (_subscription is not null)
        {
            try
            {
                await _subscription.UnsubscribeAsync();
            }
            catch (RedisException)
            {
            }
        }

        _gate.Dispose();
    }

    private void Relay(ChannelMessage message)
    {
        List<TailEvent> events;
        try
        {
            events = LogTail.Deserialize((byte[])message.Message!);
        }
        catch (System.Text.Json.JsonException)
        {
            return;
        }

        Channel<TailEvent>[] clients;
        lock (_clients)
        {
            clients = [.. _clients];
        }

        foreach (var client in clients)
        {
            foreach (var e in events)
            {
                client.Writer.TryWrite(e);
            }
        }
    }

    private async Task RefreshListenersKeyAsync()
    {
        if (Watching == 0)
        {
            return;
        }

        try
        {
            await _redis.GetDatabase().StringSetAsync(_listenersKey, "1", LogTail.ListenersKeyLifetime);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            // Redis is away; the tail resumes when it returns.
        }
    }
}
