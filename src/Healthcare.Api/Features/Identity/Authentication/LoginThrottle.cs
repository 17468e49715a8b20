using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Healthcare.Api.Features.Identity.Authentication;

/// <summary>
/// Slows down password guessing across all API instances (counters in Redis). Failures are counted per
/// address+IP pair, per address and per IP over 15 minutes. Past a threshold the pair is locked for a time that
/// doubles with each further failure, capped at 15 minutes; the address as a whole locks only after many
/// failures from many places, and never for longer than 15 minutes at a time, so an attacker cannot keep a
/// real user out for good, and a successful password reset lifts the address's lock. Addresses are counted
/// whether or not an account exists, so throttling reveals nothing. With Redis down, each instance counts
/// on its own.
/// </summary>
public sealed class LoginThrottle(IConnectionMultiplexer redis, TimeProvider clock)
{
    public const int PairThreshold = 5;
    public const int AccountThreshold = 50;
    public const int IpThreshold = 100;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan MaximumLock = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan FirstLock = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, (long Count, DateTimeOffset Expires)> _local = new();

    /// <summary>How long the caller must wait before trying again, or null when they may try now.</summary>
    public async Task<TimeSpan?> RetryAfterAsync(string email, string? ip)
    {
        var keys = Keys(email, ip);
        try
        {
            var db = redis.GetDatabase();
            var waits = await Task.WhenAll(db.KeyTimeToLiveAsync(keys.PairLock), db.KeyTimeToLiveAsync(keys.AccountLock), db.KeyTimeToLiveAsync(keys.IpLock));
            var longest = waits.Max();
            return longest is { } wait && wait > TimeSpan.Zero ? wait : null;
        }
        catch (RedisException)
        {
            var now = clock.GetUtcNow();
            var longest = new[] { keys.PairLock, keys.AccountLock, keys.IpLock }
                .Select(k => _local.TryGetValue(k, out var lockEntry) && lockEntry.Expires > now ? lockEntry.Expires - now : TimeSpan.Zero)
                .Max();
            return longest > TimeSpan.Zero ? longest : null;
        }
    }

    public async Task RecordFailureAsync(string email, string? ip)
    {
        var keys = Keys(email, ip);
        try
        {
            var db = redis.GetDatabase();
            var pair = await IncrementAsync(db, keys.Pair);
            var account = await IncrementAsync(db, keys.Account);
            await LockIfOverAsync(db, keys.PairLock, pair, PairThreshold);
            await LockIfOverAsync(db, keys.AccountLock, account, AccountThreshold);
            if (ip is not null)
            {
                await LockIfOverAsync(db, keys.IpLock, await IncrementAsync(db, keys.Ip), IpThreshold);
            }
        }
        catch (RedisException)
        {
            var pair = IncrementLocal(keys.Pair);
            var account = IncrementLocal(keys.Account);
            LockLocalIfOver(keys.PairLock, pair, PairThreshold);
            LockLocalIfOver(keys.AccountLock, account, AccountThreshold);
            if (ip is not null)
            {
                LockLocalIfOver(keys.IpLock, IncrementLocal(keys.Ip), IpThreshold);
            }
        }
    }

    /// <summary>A successful login clears this address+IP pair's failures.</summary>
    public async Task RecordSuccessAsync(string email, string? ip)
    {
        var keys = Keys(email, ip);
        _local.TryRemove(keys.Pair, out _);
        _local.TryRemove(keys.PairLock, out _);
        try
        {
            await redis.GetDatabase().KeyDeleteAsync([keys.Pair, keys.PairLock]);
        }
        catch (RedisException)
        {
            // The counters expire by themselves.
        }
    }

    /// <summary>A password reset proves ownership of the address: lift its locks.</summary>
    public async Task ClearAccountAsync(string email)
    {
        var keys = Keys(email, null);
        _local.TryRemove(keys.Account, out _);
        _local.TryRemove(keys.AccountLock, out _);
        try
        {
            await redis.GetDatabase().KeyDeleteAsync([keys.Account, keys.AccountLock]);
        }
        catch (RedisException)
        {
            // The counters expire by themselves.
        }
    }

    /// <summary>30 s at the threshold, doubling with each further failure, at most 15 minutes.</summary>
    public static TimeSpan LockFor(long failures, int threshold)
    {
        var doublings = (int)Math.Min(failures - threshold, 10);
        var lockTime = FirstLock * Math.Pow(2, doublings);
        return lockTime < MaximumLock ? lockTime : MaximumLock;
    }

    private static async Task<long> IncrementAsync(IDatabase db, string key)
    {
        var count = await db.StringIncrementAsync(key);
        if (count == 1)
        {
            await db.KeyExpireAsync(key, Window);
        }

        return count;
    }

    private static Task LockIfOverAsync(IDatabase db, string key, long failures, int threshold) =>
        failures >= threshold ? db.StringSetAsync(key, "1", LockFor(failures, threshold)) : Task.CompletedTask;

    private long IncrementLocal(string key)
    {
        var now = clock.GetUtcNow();
        return _local.AddOrUpdate(
            key,
            _ => (1, now + Window),
            (_, entry) => entry.Expires > now ? (entry.Count + 1, entry.Expires) : (1, now + Window)).Count;
    }

    private void LockLocalIfOver(string key, long failures, int threshold)
    {
        if (failures >= threshold)
        {
            _local[key] = (1, clock.GetUtcNow() + LockFor(failures, threshold));
        }
    }

    internal static ThrottleKeys Keys(string email, string? ip)
    {
        // Addresses are hashed: Redis holds no e-mail addresses.
        var account = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(email)))[..32];
        // Without a known client address (in-process hosts) the per-IP and pair counters share one bucket.
        var address = ip ?? "unknown";
        // The part in braces is the Redis Cluster hash tag: a counter and its lock live in the same slot, so
        // they can be deleted in one command on a cluster too.
        return new ThrottleKeys(
            $"login:{{pair:{account}:{address}}}:fail",
            $"login:{{pair:{account}:{address}}}:lock",
            $"login:{{account:{account}}}:fail",
            $"login:{{account:{account}}}:lock",
            $"login:{{ip:{address}}}:fail",
            $"login:{{ip:{address}}}:lock");
    }

    internal sealed record ThrottleKeys(string Pair, string PairLock, string Account, string AccountLock, string Ip, string IpLock);
}
