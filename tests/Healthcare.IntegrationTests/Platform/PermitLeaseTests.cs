using Healthcare.Api.Platform;
using Healthcare.Core.Configuration;
using Healthcare.Testing;
using StackExchange.Redis;

namespace Healthcare.IntegrationTests.Platform;

/// <summary>
/// Leased rate-limit permits on the real Redis, two <see cref="PermitLeases"/> standing for two API instances:
/// together they never grant more than the budget, a busy client costs a Redis call per lease rather than per
/// request, and small budgets are counted exactly.
/// </summary>
public sealed class PermitLeaseTests : IAsyncLifetime
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(900);
    private ConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync() =>
        _redis = await ConnectionMultiplexer.ConnectAsync(RedisConnection.Parse(TestServers.RedisUrl));

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task TwoInstancesNeverGrantMoreThanTheBudgetAndRefuseEarlyByAtMostWhatTheOtherHolds()
    {
        var (first, second) = (new PermitLeases(_redis, TimeProvider.System), new PermitLeases(_redis, TimeProvider.System));
        var budget = new Budget("user", $"user:{Guid.NewGuid()}", 1000);

        // A client that keeps using both instances spends its whole budget, exactly.
        var granted = 0;
        for (var i = 0; i < 1100; i++)
        {
            var verdict = await (i % 2 == 0 ? first : second).AcquireAsync(budget, Window, CancellationToken.None);
            granted += verdict.Allowed ? 1 : 0;
        }

        Assert.Equal(1000, granted);
        Assert.True((long)await _redis.GetDatabase().StringGetAsync(KeyOf(budget)) >= 1000);
    }

    [Fact]
    public async Task ABusyClientCostsOneRedisCallPerLeaseNotPerRequest()
    {
        var leases = new PermitLeases(_redis, TimeProvider.System);
        var budget = new Budget("user", $"user:{Guid.NewGuid()}", 100_000);

        for (var i = 0; i < 1000; i++)
        {
            Assert.True((await leases.AcquireAsync(budget, Window, CancellationToken.None)).Allowed);
        }

        // 1,000 requests took one permit, then leases of the largest size: the count in Redis is one more than a whole number
        // of leases ahead of the requests, and never more than one lease ahead.
        var counted = (long)await _redis.GetDatabase().StringGetAsync(KeyOf(budget));
        Assert.InRange(counted, 1000, 1000 + PermitLeases.MaxLease);
        Assert.Equal(0, (counted - 1) % PermitLeases.MaxLease);
        var verdict = await leases.AcquireAsync(budget, Window, CancellationToken.None);
        Assert.Equal(100_000 - 1001, verdict.Remaining);
        Assert.InRange(verdict.ResetSeconds, 1, 900);
    }

    [Fact]
    public async Task AClientThatLeavesAnInstanceIsRefusedEarlyByNoMoreThanThatInstanceHolds()
    {
        var (first, second) = (new PermitLeases(_redis, TimeProvider.System), new PermitLeases(_redis, TimeProvider.System));
        var budget = new Budget("user", $"user:{Guid.NewGuid()}", 1000);

        for (var i = 0; i < 200; i++)
        {
            await first.AcquireAsync(budget, Window, CancellationToken.None);
        }

        // Then only the second instance: the first keeps what it leased, at most one lease of the largest size.
        var granted = 0;
        for (var i = 0; i < 1000; i++)
        {
            granted += (await second.AcquireAsync(budget, Window, CancellationToken.None)).Allowed ? 1 : 0;
        }

        Assert.InRange(granted, 800 - PermitLeases.MaxLease, 800);
    }

    [Fact]
    public async Task SmallBudgetsAreCountedExactlyAcrossInstances()
    {
        var (first, second) = (new PermitLeases(_redis, TimeProvider.System), new PermitLeases(_redis, TimeProvider.System));
        var budget = new Budget("anonymous", $"ip:{Guid.NewGuid()}", 6);

        var remaining = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            var verdict = await (i % 2 == 0 ? first : second).AcquireAsync(budget, Window, CancellationToken.None);
            Assert.True(verdict.Allowed);
            remaining.Add(verdict.Remaining);
        }

        Assert.Equal([5, 4, 3, 2, 1, 0], remaining);
        Assert.False((await first.AcquireAsync(budget, Window, CancellationToken.None)).Allowed);
        Assert.False((await second.AcquireAsync(budget, Window, CancellationToken.None)).Allowed);
    }

    private static string KeyOf(Budget budget) =>
        $"hb:rate:{{{budget.Key}}}:{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / (long)Window.TotalMilliseconds}";
}
