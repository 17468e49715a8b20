using Microsoft.Extensions.Caching.StackExchangeRedis;
using StackExchange.Redis;
using ZiggyCreatures.Caching.Fusion;
using ZiggyCreatures.Caching.Fusion.Backplane.StackExchangeRedis;
using ZiggyCreatures.Caching.Fusion.Serialization.SystemTextJson;

namespace Healthcare.Api.Platform;

/// <summary>
/// The API's cache: memory on each instance (L1), Redis shared by all instances (L2), and the Redis backplane
/// that evicts an entry from every instance's memory when one instance changes or removes it.
/// Only values that hold no patient data are cached (security stamps, roles, clinic flags, free slots), so no
/// request can read another user's PHI from it.
/// Redis being away makes the cache slower, never broken: the client fails fast while disconnected, and L2
/// calls give up after a short timeout.
/// </summary>
public static class ApiCache
{
    public static IServiceCollection AddApiCache(this IServiceCollection services)
    {
        services.AddFusionCache()
            .WithOptions(options =>
            {
                // No circuit breakers: the Redis client fails fast while disconnected (ADR 37), and a breaker
                // left open after Redis returns would drop the backplane's evictions for its duration.
                options.DistributedCacheKeyModifierMode = CacheKeyModifierMode.Prefix;
                options.CacheKeyPrefix = "hb:cache:";
            })
            .WithDefaultEntryOptions(new FusionCacheEntryOptions
            {
                Duration = TimeSpan.FromMinutes(1),
                DistributedCacheHardTimeout = TimeSpan.FromMilliseconds(250),
                // Writes to Redis do not hold up the response; reads still wait (up to the timeout above).
                AllowBackgroundDistributedCacheOperations = true,
                AllowBackgroundBackplaneOperations = true,
            })
            // Fields included so value tuples round-trip (System.Text.Json skips their fields otherwise).
            .WithSerializer(new FusionCacheSystemTextJsonSerializer(new System.Text.Json.JsonSerializerOptions { IncludeFields = true }))
            .WithDistributedCache(sp => new RedisCache(new RedisCacheOptions
            {
                ConnectionMultiplexerFactory = () => Task.FromResult(sp.GetRequiredService<IConnectionMultiplexer>()),
            }))
            .WithBackplane(sp => new RedisBackplane(new RedisBackplaneOptions
            {
                ConnectionMultiplexerFactory = () => Task.FromResult(sp.GetRequiredService<IConnectionMultiplexer>()),
            }));
        return services;
    }

    /// <summary>
    /// Removes an entry that a request is changing: now, and again just before the answer starts, when the
    /// request's transaction has committed. A read on another instance between the first removal and the commit
    /// would otherwise put the old value back for the entry's lifetime.
    /// </summary>
    public static ValueTask RemoveOnChangeAsync(this IFusionCache cache, HttpContext http, string key, CancellationToken cancellationToken)
    {
        if (!http.Response.HasStarted)
        {
            http.Response.OnStarting(() => cache.RemoveAsync(key).AsTask());
        }

        return cache.RemoveAsync(key, token: cancellationToken);
    }
}
