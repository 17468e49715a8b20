using System.Diagnostics;
using System.Net.Sockets;
using Healthcare.Core.Configuration;
using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Scheduling;
using Healthcare.Testing;
using Npgsql;
using Xunit.Abstractions;

namespace Healthcare.IntegrationTests.Faults;

/// <summary>
/// SIGTERM, as Kubernetes sends it on a rollout: readiness turns 503 at once, the listener keeps accepting for
/// SHUTDOWN_DRAIN_SECONDS, then refuses new connections while the requests in flight still finish with 2xx.
/// </summary>
public sealed class GracefulShutdownTests(ITestOutputHelper output)
{
    private const int DrainSeconds = 3;

    /// <summary>A probe's "status" when no answer came because the listener no longer accepts.</summary>
    private const int Closed = 0;

    [Fact]
    public async Task OnSigtermReadinessFailsFirstConnectionsAreRefusedOnlyAfterTheDrainAndInFlightRequestsFinish()
    {
        var databaseUrl = await TestServers.CreateDatabaseAsync(nameof(GracefulShutdownTests));
        try
        {
            await TestServers.MigrateAsync(databaseUrl);
            var setup = await ClinicSetup.CreateAsync(databaseUrl, patients: 2);
            var account = await FaultApis.CreateUserAsync(databaseUrl, ClinicRoles.Receptionist, setup.ClinicId);
            var api = await FaultApis.StartAsync(databaseUrl, s => s["SHUTDOWN_DRAIN_SECONDS"] = DrainSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await using var _ = api;
            using var client = FaultApis.Client(api, await FaultApis.TokenAsync(api, account));
            var path = $"/api/v1/clinics/{setup.ClinicId}/patients?name=pat";

            // Slow requests: they wait on a lock the test holds until well after the listener has closed.
            await using var blocker = new NpgsqlConnection(PostgresConnectionString.Parse(databaseUrl).ConnectionString);
            await blocker.OpenAsync();
            await using var transaction = await blocker.BeginTransactionAsync();
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE patients IN ACCESS EXCLUSIVE MODE", blocker, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            var inFlight = Enumerable.Range(0, 4).Select(_ => FaultApis.TimedGetAsync(client, path)).ToList();
            await Task.Delay(500);
            Assert.All(inFlight, request => Assert.False(request.IsCompleted));

            var clock = Stopwatch.StartNew();
            var timeline = new List<(TimeSpan At, int Status)>();
            using var stop = new CancellationTokenSource();
            var probing = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    // Stamped when the answer arrives: a probe sent before SIGTERM may be answered after it.
                    var status = await ProbeReadyOnNewConnectionAsync(api.HttpPort);
                    timeline.Add((clock.Elapsed, status));
                    await Task.Delay(100);
                }
            });
            while (timeline.Count < 2)
            {
                await Task.Delay(50);
            }

            var terminatedAt = clock.Elapsed;
            api.Terminate();

            // Until the listener closes, plus a second in which the in-flight requests are still held.
            while (!timeline.Any(t => t.Status == Closed) && clock.Elapsed < terminatedAt + TimeSpan.FromSeconds(DrainSeconds) + TestTimeouts.Scaled(TimeSpan.FromSeconds(10)))
            {
                await Task.Delay(100);
            }

            await Task.Delay(1000);
            Assert.All(inFlight, request => Assert.False(request.IsCompleted, "a held request ended before the lock was released"));
            await transaction.RollbackAsync();
            var finished = await Task.WhenAll(inFlight);
            stop.Cancel();
            await probing;
            var exitCode = await api.WaitForExitAsync(TimeSpan.FromSeconds(30));

            var afterTerm = timeline.Where(t => t.At > terminatedAt).ToList();
            output.WriteLine(string.Join(", ", timeline.Select(t => $"{(t.At - terminatedAt).TotalMilliseconds:F0} ms: {t.Status}")));
            Assert.All(timeline.Where(t => t.At < terminatedAt), t => Assert.Equal(200, t.Status));
            var firstNotReady = afterTerm.FindIndex(t => t.Status != 200);
            var firstRefused = afterTerm.FindIndex(t => t.Status == Closed);
            Assert.True(firstNotReady >= 0 && firstRefused >= 0, "readiness never failed or the listener never closed");
            Assert.Equal(503, afterTerm[firstNotReady].Status);
            // Not ready for (about) the drain before any connection is refused.
            var notReadyFor = afterTerm[firstRefused].At - afterTerm[firstNotReady].At;
            Assert.True(notReadyFor >= TimeSpan.FromSeconds(DrainSeconds - 1), $"connections were refused {notReadyFor} after readiness failed");
            Assert.All(afterTerm.Skip(firstNotReady).Take(firstRefused - firstNotReady), t => Assert.Equal(503, t.Status));
            Assert.All(finished, request => Assert.Equal(200, request.Status));
            Assert.Equal(0, exitCode);
        }
        finally
        {
            await TestServers.DropDatabaseAsync(databaseUrl);
        }
    }

    /// <summary>
    /// The status of <c>/health/ready</c> on a fresh connection; <see cref="Closed"/> when the listener refused the
    /// connection, or accepted it into the kernel's backlog in the instant it closed and then reset it unanswered.
    /// Both mean "no longer accepting": a reset during the drain still fails the test, because the drain would then
    /// look shorter than it is.
    /// </summary>
    private static async Task<int> ProbeReadyOnNewConnectionAsync(int port)
    {
        using var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero };
        using var probe = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await probe.GetAsync($"http://127.0.0.1:{port}/health/ready");
            return (int)response.StatusCode;
        }
        catch (HttpRequestException e) when (IsRefusedOrResetUnanswered(e))
        {
            return Closed;
        }
    }

    private static bool IsRefusedOrResetUnanswered(HttpRequestException e)
    {
        if (e.HttpRequestError == HttpRequestError.ResponseEnded)
        {
            // The peer closed the connection without a complete answer: accepted into the backlog, then reset.
            return true;
        }

        for (Exception? inner = e.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.ConnectionAborted })
            {
                return true;
            }
        }

        return false;
    }
}
