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
/// Redis being away makes the cache slower, never wrong or broken: L2 calls give up after a short timeout and
/// are skipped for a while (circuit breaker), and stale values may be served for a short time if the database
/// cannot be reached to recompute them (fail-safe), but never beyond the entry's own lifetime of use.
/// </summary>
public static class ApiCache
{
    public static IServiceCollection AddApiCache(this IServiceCollection services)
    {
        services.AddFusionCache()
            .WithOptions(options =>
            {
                options.DistributedCacheCircuitBreakerDuration = TimeSpan.FromSeconds(5);
                options.BackplaneCircuitBreakerDuration = TimeSpan.FromSeconds(5);
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
            .WithSerializer(new FusionCacheSystemTextJsonSerializer())
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
}
