using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Healthcare.Api.Features.Scheduling;
using Healthcare.Core.Configuration;
using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Scheduling;
using Healthcare.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Healthcare.IntegrationTests.Faults;

/// <summary>
/// Redis (a private server) stopped under two API instances and started again. Redis holds only the cache's
/// cross-instance invalidation, login throttling and rate limits, so its loss degrades the API but never stops it.
/// </summary>
public sealed class RedisFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task WhileRedisIsDownTheApiServesReadsAndWritesReadyButDegradedAndCrossInstanceInvalidationReturnsWithRedis()
    {
        var databaseUrl = await TestServers.CreateDatabaseAsync(nameof(RedisFaultTests));
        try
        {
            await TestServers.MigrateAsync(databaseUrl);
            await using var redis = await PrivateRedis.StartNewAsync();
            var setup = await ClinicSetup.CreateAsync(databaseUrl, patients: 40);
            var account = await FaultApis.CreateUserAsync(databaseUrl, ClinicRoles.Receptionist, setup.ClinicId);
            var starting = new[] { FaultApis.StartAsync(databaseUrl, s => s["REDIS_URL"] = redis.Url), FaultApis.StartAsync(databaseUrl, s => s["REDIS_URL"] = redis.Url) };
            await using var first = await starting[0];
            await using var second = await starting[1];
            var token = await FaultApis.TokenAsync(first, account);
            using var one = FaultApis.Client(first, token, TimeSpan.FromSeconds(15));
            using var two = FaultApis.Client(second, token, TimeSpan.FromSeconds(15));

            // Both directions, which also warms each instance's booking path before the timings below.
            await AssertBookingOnOneLeavesTheOthersAvailabilityAsync(one, two, setup, days: 20, patient: 0);
            await AssertBookingOnOneLeavesTheOthersAvailabilityAsync(two, one, setup, days: 19, patient: setup.PatientIds.Length - 2);
            Assert.Equal(2, await BackplaneSubscribersAsync(redis.Url, expected: 2));

            await redis.StopAsync();
            foreach (var api in new[] { first, second })
            {
                var (status, redisCheck) = await ReadinessAsync(api, until: "Degraded");
                Assert.True((status, redisCheck) == (HttpStatusCode.OK, "Degraded"), $"ready answered {status} with redis {redisCheck}");
            }

            // Reads and writes alternate between the instances for a few seconds of outage.
            var down = Stopwatch.StartNew();
            var answers = new List<(string What, int Status, TimeSpan Elapsed)>();
            var patient = 1;
            while (down.Elapsed < TimeSpan.FromSeconds(6) && patient < setup.PatientIds.Length - 2)
            {
                var client = patient % 2 == 0 ? one : two;
                var watch = Stopwatch.StartNew();
                var read = await client.GetAsync($"/api/v1/clinics/{setup.ClinicId}/patients?name=pat");
                answers.Add(("search", (int)read.StatusCode, watch.Elapsed));
                watch.Restart();
                var slots = await client.GetAsync(AvailabilityPath(setup, 21));
                answers.Add(("availability", (int)slots.StatusCode, watch.Elapsed));
                watch.Restart();
                var booked = await client.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(ClinicSetup.Local(21 + (patient / 10), 8 + (patient % 10)), patient));
                answers.Add(("booking", (int)booked.StatusCode, watch.Elapsed));
                patient++;
            }

            output.WriteLine($"{answers.Count} answers while Redis was down; slowest {answers.Max(a => a.Elapsed).TotalMilliseconds:F0} ms");
            output.WriteLine(string.Join(", ", answers.Select(a => $"{a.What} {a.Status} {a.Elapsed.TotalMilliseconds:F0} ms")));
            Assert.True(answers.Count >= 30, "too few requests during the outage to show anything");
            // No Redis call waits for a connection that is not there (BacklogPolicy.FailFast): a wait for one would take
            // the 2-second command timeout, so the bound scales with the machine but stays below that.
            var bound = TimeSpan.FromTicks(Math.Min(TestTimeouts.Scaled(TimeSpan.FromSeconds(1)).Ticks, TimeSpan.FromMilliseconds(1900).Ticks));
            Assert.All(answers, a => Assert.True(a.Elapsed < bound, $"{a.What} took {a.Elapsed} without Redis"));
            Assert.DoesNotContain(answers, a => a.Status >= 500);
            Assert.DoesNotContain(answers, a => a.Status == 429);
            Assert.All(answers, a => Assert.True(a.Status is 200 or 201, $"{a.What} answered {a.Status}"));

            await redis.StartAsync();
            var back = Stopwatch.StartNew();
            foreach (var api in new[] { first, second })
            {
                var (status, redisCheck) = await ReadinessAsync(api, until: "Healthy");
                Assert.True((status, redisCheck) == (HttpStatusCode.OK, "Healthy"), $"after the restart ready answered {status} with redis {redisCheck}");
            }

            output.WriteLine($"both instances saw Redis again {back.Elapsed.TotalMilliseconds:F0} ms after its restart");
            // Readiness pings over the client's command connection; the backplane listens on its subscription
            // connection, which the client reconnects on its own schedule. Evictions travel once both listen again.
            Assert.Equal(2, await BackplaneSubscribersAsync(redis.Url, expected: 2));
            output.WriteLine($"both instances listened to the backplane again {back.Elapsed.TotalMilliseconds:F0} ms after its restart");
            await AssertBookingOnOneLeavesTheOthersAvailabilityAsync(one, two, setup, days: 30, patient: setup.PatientIds.Length - 1);
        }
        finally
        {
            await TestServers.DropDatabaseAsync(databaseUrl);
        }
    }

    /// <summary>
    /// The second instance caches the day's slots (for 30 s); a booking through the first must evict them there
    /// within 5 s, which only the Redis backplane can do.
    /// </summary>
    private static async Task AssertBookingOnOneLeavesTheOthersAvailabilityAsync(HttpClient one, HttpClient two, ClinicSetup setup, int days, int patient)
    {
        var slot = ClinicSetup.Local(days, 9);
        Assert.Contains(slot, await SlotsAsync(two, setup, days));
        var booked = await one.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(slot, patient));
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        var watch = Stopwatch.StartNew();
        while ((await SlotsAsync(two, setup, days)).Contains(slot))
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), "the other instance still offers the booked slot after 5 s: no cross-instance invalidation");
            await Task.Delay(100);
        }
    }

    private static async Task<List<DateTimeOffset>> SlotsAsync(HttpClient client, ClinicSetup setup, int days)
    {
        var slots = await client.GetFromJsonAsync<PractitionerSlotsDto>(AvailabilityPath(setup, days));
        return [.. slots!.Slots.Select(s => s.StartsAt)];
    }

    private static string AvailabilityPath(ClinicSetup setup, int days)
    {
        var day = ClinicSetup.Local(days, 0).ToString("yyyy-MM-dd", null);
        return $"/api/v1/clinics/{setup.ClinicId}/practitioners/{setup.PractitionerId}/availability?appointmentTypeId={setup.TypeId}&from={day}&to={day}";
    }

    /// <summary>Subscribers of the cache's backplane channel, polled (up to 30 s) until there are <paramref name="expected"/>.</summary>
    private static async Task<long> BackplaneSubscribersAsync(string redisUrl, int expected)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(RedisConnection.Parse(redisUrl));
        var server = connection.GetServers()[0];
        var watch = Stopwatch.StartNew();
        while (true)
        {
            long subscribers = 0;
            foreach (var channel in (RedisResult[])(await server.ExecuteAsync("PUBSUB", "CHANNELS", "*"))!)
            {
                if (channel.ToString().Contains("Backplane", StringComparison.OrdinalIgnoreCase))
                {
                    subscribers += (long)((RedisResult[])(await server.ExecuteAsync("PUBSUB", "NUMSUB", channel.ToString()))!)[1];
                }
            }

            if (subscribers >= expected || watch.Elapsed > TestTimeouts.Scaled(TimeSpan.FromSeconds(30)))
            {
                return subscribers;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Polls <c>/health/ready</c> (up to 20 s, scaled) until its redis check reports <paramref name="until"/>.</summary>
    private static async Task<(HttpStatusCode Status, string? Redis)> ReadinessAsync(HostProcess api, string until)
    {
        using var probe = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var response = await probe.GetAsync("/health/ready");
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            var redis = body.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString();
            if (redis == until || watch.Elapsed > TestTimeouts.Scaled(TimeSpan.FromSeconds(20)))
            {
                return (response.StatusCode, redis);
            }

            await Task.Delay(200);
        }
    }
}
