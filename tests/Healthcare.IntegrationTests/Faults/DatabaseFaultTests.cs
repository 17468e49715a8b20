using System.Diagnostics;
using System.Net;
using Healthcare.Core.Configuration;
using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Scheduling;
using Healthcare.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Healthcare.IntegrationTests.Faults;

/// <summary>
/// PostgreSQL restarted under a running API (a private server) and PostgreSQL made slow by a lock: callers get
/// 503 problem details quickly, never a 500 or a hang, and the API recovers by itself without a restart.
/// </summary>
public sealed class DatabaseFaultTests(ITestOutputHelper output)
{
    [Fact]
    public Task ThroughAPostgresRestartRequestsGet503AndSucceedWithinFiveSecondsOfItsReturn() => RestartCyclesAsync(cycles: 1);

    [Fact]
    [Trait("Category", "Chaos")]
    public Task ThroughFivePostgresRestartsInARowTheApiRecoversEachTimeWithoutARestart() => RestartCyclesAsync(cycles: 5);

    [Fact]
    public async Task ASlowDatabaseAnswers503WithinTheCommandTimeoutAndThePoolRecoversOnceTheLockIsReleased()
    {
        var databaseUrl = await TestServers.CreateDatabaseAsync(nameof(DatabaseFaultTests));
        try
        {
            await TestServers.MigrateAsync(databaseUrl);
            var setup = await ClinicSetup.CreateAsync(databaseUrl, patients: 2);
            var account = await FaultApis.CreateUserAsync(databaseUrl, ClinicRoles.Receptionist, setup.ClinicId);
            await using var api = await FaultApis.StartAsync(databaseUrl, s =>
            {
                s["DB_POOL_MAX"] = "3";
                s["DB_COMMAND_TIMEOUT_SECONDS"] = "2";
                s["REQUEST_TIMEOUT_SECONDS"] = "20";
            });
            using var client = FaultApis.Client(api, await FaultApis.TokenAsync(api, account));
            var path = $"/api/v1/clinics/{setup.ClinicId}/patients?name=pat";
            Assert.Equal(200, (await FaultApis.TimedGetAsync(client, path)).Status);

            // A migration or a runaway report holding the table: every read of patients waits on the lock.
            await using (var blocker = new NpgsqlConnection(PostgresConnectionString.Parse(databaseUrl).ConnectionString))
            {
                await blocker.OpenAsync();
                await using var transaction = await blocker.BeginTransactionAsync();
                await using (var lockTable = new NpgsqlCommand("LOCK TABLE patients IN ACCESS EXCLUSIVE MODE", blocker, transaction))
                {
                    await lockTable.ExecuteNonQueryAsync();
                }

                // Twice the pool: the second half also waits for a connection before its own command times out.
                var blocked = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => FaultApis.TimedGetAsync(client, path)));
                output.WriteLine($"blocked: {string.Join(", ", blocked.Select(b => $"{b.Status} in {b.Elapsed.TotalSeconds:F1} s"))}");
                foreach (var (status, elapsed, response) in blocked)
                {
                    Assert.True(status is 503 or 504, $"expected 503/504, got {status}\n{api.Describe()}");
                    await AssertProblemAsync(response!);
                    // Two command timeouts of 2 s at most, one after the other, far below the 20 s request timeout.
                    Assert.True(elapsed < TimeSpan.FromSeconds(8), $"a blocked request took {elapsed}");
                }

                await transaction.RollbackAsync();
            }

            var after = await SequentialAsync(client, path, 15, concurrency: 3);
            Assert.All(after, status => Assert.Equal(200, status));
        }
        finally
        {
            await TestServers.DropDatabaseAsync(databaseUrl);
        }
    }

    private async Task RestartCyclesAsync(int cycles)
    {
        await using var postgres = await PrivatePostgres.StartWithDatabaseAsync();
        var setup = await ClinicSetup.CreateAsync(postgres.DatabaseUrl, patients: 2);
        var account = await FaultApis.CreateUserAsync(postgres.DatabaseUrl, ClinicRoles.Receptionist, setup.ClinicId);
        await using var api = await FaultApis.StartAsync(postgres.DatabaseUrl, s =>
        {
            // A small pool, so the requests after the outage reuse every pooled connection the restart broke.
            s["DB_POOL_MAX"] = "3";
            s["DB_CONNECT_TIMEOUT_SECONDS"] = "2";
            s["REQUEST_TIMEOUT_SECONDS"] = "10";
        });
        using var client = FaultApis.Client(api, await FaultApis.TokenAsync(api, account));
        using var probe = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var path = $"/api/v1/clinics/{setup.ClinicId}/patients?name=pat";

        for (var cycle = 1; cycle <= cycles; cycle++)
        {
            // Every pooled connection open and idle before the server goes away.
            Assert.All(await SequentialAsync(client, path, 6, concurrency: 3), status => Assert.Equal(200, status));

            await postgres.StopAsync();
            var down = new List<(int Status, TimeSpan Elapsed, HttpResponseMessage? Response)>();
            var outage = Stopwatch.StartNew();
            while (outage.Elapsed < TimeSpan.FromSeconds(3))
            {
                down.AddRange(await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => FaultApis.TimedGetAsync(client, path))));
            }

            output.WriteLine($"cycle {cycle}: {down.Count} requests while down, slowest {down.Max(d => d.Elapsed).TotalMilliseconds:F0} ms");
            foreach (var (code, elapsed, response) in down)
            {
                Assert.True(code == 503, $"expected 503 while PostgreSQL is down, got {code}\n{api.Describe()}");
                await AssertProblemAsync(response!);
                Assert.True(response!.Headers.RetryAfter is not null, "503 without Retry-After");
                Assert.True(elapsed < TimeSpan.FromSeconds(10), $"a request took {elapsed}, beyond the request timeout");
            }

            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await probe.GetAsync("/health/ready")).StatusCode);

            await postgres.StartAsync();
            var back = Stopwatch.StartNew();
            var status = 0;
            while (back.Elapsed < TimeSpan.FromSeconds(15) && status != 200)
            {
                status = (await FaultApis.TimedGetAsync(client, path)).Status;
                if (status != 200)
                {
                    await Task.Delay(100);
                }
            }

            output.WriteLine($"cycle {cycle}: first success {back.Elapsed.TotalMilliseconds:F0} ms after PostgreSQL was back");
            Assert.True(status == 200, $"no success within 15 s of the restart (last {status})\n{api.Describe()}");
            Assert.True(back.Elapsed < TimeSpan.FromSeconds(5), $"recovery took {back.Elapsed}");

            // No poisoned connection left in the pool: many more requests than pooled connections, all fine.
            Assert.All(await SequentialAsync(client, path, 30, concurrency: 3), s => Assert.Equal(200, s));
            Assert.Equal(HttpStatusCode.OK, (await probe.GetAsync("/health/ready")).StatusCode);
        }
    }

    private static async Task<List<int>> SequentialAsync(HttpClient client, string path, int count, int concurrency)
    {
        var statuses = new List<int>();
        for (var i = 0; i < count; i += concurrency)
        {
            var batch = await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, count - i)).Select(_ => FaultApis.TimedGetAsync(client, path)));
            statuses.AddRange(batch.Select(b => b.Status));
        }

        return statuses;
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"status\":", body, StringComparison.Ordinal);
        Assert.Contains("\"requestId\":", body, StringComparison.Ordinal);
    }
}
