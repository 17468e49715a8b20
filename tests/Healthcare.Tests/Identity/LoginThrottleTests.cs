using Healthcare.Api.Platform;

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
}
