using System.Collections.Concurrent;
using System.Security.Claims;
using Healthcare.Core.Data;
using StackExchange.Redis;

namespace Healthcare.Api.Platform;

/// <summary>
/// Users who changed something in the last <c>DB_READ_MAX_LAG_SECONDS</c>: their reads go to the primary, so they
/// always see their own writes. Remembered in this instance's memory and in Redis (the next request may reach
/// another instance); when Redis cannot answer, the caller is treated as a recent writer.
/// </summary>
public sealed class RecentWriters(ReadReplica replica, IConnectionMultiplexer redis, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, long> _local = new();

    public void Mark(string userId)
    {
        var until = clock.GetTimestamp() + (long)(replica.MaxLag.TotalSeconds * clock.TimestampFrequency);
        _local[userId] = until;
        if (_local.Count > 10_000)
        {
            Prune();
        }

        if (redis.IsConnected)
        {
            _ = redis.GetDatabase().StringSetAsync(Key(userId), 1, replica.MaxLag, flags: CommandFlags.FireAndForget);
        }
    }

    public async ValueTask<bool> WroteRecentlyAsync(string userId)
    {
        if (_local.TryGetValue(userId, out var until) && until > clock.GetTimestamp())
        {
            return true;
        }

        if (!redis.IsConnected)
        {
            return true;
        }

        try
        {
            return await redis.GetDatabase().KeyExistsAsync(Key(userId));
        }
        catch (RedisException)
        {
            return true;
        }
    }

    private void Prune()
    {
        var now = clock.GetTimestamp();
        foreach (var (user, until) in _local)
        {
            if (until <= now)
            {
                _local.TryRemove(user, out _);
            }
        }
    }

    private static string Key(string userId) => $"hb:recent-writer:{userId}";
}

/// <summary>
/// The database context for a read-only endpoint: the replica when it is usable and the caller has not written
/// recently, the request's primary context otherwise. Lists and directory reads take it; writes, and reads whose
/// answer the caller acts on at once (a record fetched for an update, its ETag), keep the primary context.
/// </summary>
public sealed class ReadDb(HealthcareDbContext primary, ReadReplica replica, RecentWriters writers, IHttpContextAccessor http) : IAsyncDisposable
{
    private HealthcareDbContext? _replica;

    /// <summary>Whether this request's reads went to the replica (for tests and diagnostics).</summary>
    public bool UsedReplica => _replica is not null;

    public async ValueTask<HealthcareDbContext> ContextAsync()
    {
        if (_replica is not null)
        {
            return _replica;
        }

        if (!replica.IsUsable)
        {
            return primary;
        }

        var user = http.HttpContext?.User.FindFirstValue("sub");
        if (user is not null && await writers.WroteRecentlyAsync(user))
        {
            return primary;
        }

        _replica = replica.CreateContext();
        http.HttpContext?.Response.Headers.Append("X-Read-Source", "replica");
        return _replica;
    }

    public ValueTask DisposeAsync() => _replica?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>Marks signed-in users who made a successful change, when a read replica is configured.</summary>
public sealed class RecentWriterMiddleware(RequestDelegate next, ReadReplica replica, RecentWriters writers)
{
    public Task InvokeAsync(HttpContext http)
    {
        if (replica.IsConfigured && !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)
            && !HttpMethods.IsOptions(http.Request.Method))
        {
            http.Response.OnStarting(() =>
            {
                if (http.Response.StatusCode < 400 && http.User.FindFirstValue("sub") is { } user)
                {
                    writers.Mark(user);
                }

                return Task.CompletedTask;
            });
        }

        return next(http);
    }
}

public static class ReadRoutingServices
{
    public static IServiceCollection AddReadRouting(this IServiceCollection services)
    {
        services.AddSingleton<ReadReplica>();
        services.AddHostedService<ReplicaMonitor>();
        services.AddSingleton<RecentWriters>();
        services.AddScoped<ReadDb>();
        return services;
    }
}
