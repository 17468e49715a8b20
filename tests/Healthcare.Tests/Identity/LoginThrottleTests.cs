using Healthcare.Api.Features.Identity.Authentication;

namespace Healthcare.Tests.Identity;

public sealed class LoginThrottleTests
{
    [Theory]
    [InlineData(5, 30)]
    [InlineData(6, 60)]
    [InlineData(7, 120)]
    [InlineData(9, 480)]
    [InlineData(10, 900)]
    [InlineData(1000, 900)]
    public void LockDoublesFromThirtySecondsUpToFifteenMinutes(long failures, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), LoginThrottle.LockFor(failures, LoginThrottle.PairThreshold));

    [Theory]
    [InlineData("doctor@example.test", "203.0.113.7")]
    [InlineData("doctor@example.test", "2001:db8::1")]
    [InlineData("doctor@example.test", null)]
    public void CountersShareTheirLocksRedisClusterSlot(string email, string? ip)
    {
        // Keys deleted together must hash to one slot on a Redis Cluster; the hash tag (the first {...}) decides.
        var keys = LoginThrottle.Keys(email, ip);
        Assert.Equal(HashTag(keys.Pair), HashTag(keys.PairLock));
        Assert.Equal(HashTag(keys.Account), HashTag(keys.AccountLock));
        Assert.Equal(HashTag(keys.Ip), HashTag(keys.IpLock));
        Assert.NotEqual(HashTag(keys.Pair), HashTag(keys.Account));
        Assert.DoesNotContain(email, keys.Account, StringComparison.Ordinal);
    }

    private static string HashTag(string key)
    {
        var open = key.IndexOf('{', StringComparison.Ordinal);
        var close = open < 0 ? -1 : key.IndexOf('}', open + 1);
        Assert.True(open >= 0 && close > open + 1, $"'{key}' has no hash tag");
        return key[(open + 1)..close];
    }
}
