using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Healthcare.Api.Features.Scheduling;
using Healthcare.Api.Platform;
using Healthcare.Core.Identity;
using Healthcare.Core.Scheduling;
using Healthcare.IntegrationTests.Scheduling;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Healthcare.IntegrationTests.Faults;

/// <summary>
/// A failover rehearsal on real HA software: two API processes book against a two-node PostgreSQL cluster run by Patroni
/// (synchronous replication, etcd as its store), reaching it through a multi-host DATABASE_URL with
/// target_session_attrs=read-write. The primary's node is killed outright under the booking load; Patroni promotes the
/// standby and the APIs find it by themselves. The client keeps a ledger of every answer and retries each unknown
/// outcome with its idempotency key; afterwards the new primary must agree with the ledger.
/// </summary>
public sealed class FailoverTests(ITestOutputHelper output)
{
    private const int Bookings = 240;

    /// <summary>How long the APIs may take, after the kill, to book again (failover plus reconnection): generous.</summary>
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(120);

    [Fact]
    [Trait("Category", "Chaos")]
    public async Task KillingThePrimaryNodeUnderBookingLoadPromotesTheSyncStandbyAndLosesNoAcknowledgedBooking()
    {
        await using var cluster = await PatroniCluster.StartAsync();
        var runtimeUrl = await cluster.CreateApplicationDatabaseAsync();
        var adminUrl = cluster.SuperuserUrl();
        // Two practitioners; every patient books once, and one request in five asks for a slot another asked for.
        var first = await ClinicSetup.CreateAsync(adminUrl, patients: Bookings);
        var second = await ClinicSetup.CreateAsync(adminUrl, patients: 0, clinicId: first.ClinicId);
        var account = await FaultApis.CreateUserAsync(adminUrl, ClinicRoles.Receptionist, first.ClinicId);
        var instances = new HostProcess?[2];
        var clients = new HttpClient?[2];
        HostProcess? worker = null;
        try
        {
            var starting = new[] { StartApiAsync(runtimeUrl), StartApiAsync(runtimeUrl) };
            // The worker too, on the same multi-host URL: it must follow the primary as the APIs do.
            worker = await HostProcess.StartServingAsync(RepositoryPaths.WorkerDll, HostProcess.WorkerSettings(runtimeUrl));
            instances[0] = await starting[0];
            instances[1] = await starting[1];
            var token = await FaultApis.TokenAsync(instances[0]!, account);
            clients[0] = FaultApis.Client(instances[0]!, token, TimeSpan.FromSeconds(20));
            clients[1] = FaultApis.Client(instances[1]!, token, TimeSpan.FromSeconds(20));
            var requests = Enumerable.Range(0, Bookings).Select(i => Plan(i, first, second)).ToList();

            var old = await cluster.LeaderAsync();
            Assert.True(old is not null, $"no leader before the kill\n{cluster.Describe()}");
            var standby = cluster.Nodes.Single(n => n != old);

            var clock = Stopwatch.StartNew();
            var ledger = new ConcurrentQueue<Entry>();
            var finals = new Entry?[requests.Count];
            var next = -1;
            var killedAt = TimeSpan.MaxValue;
            var giveUpAt = TimeSpan.MaxValue;

            async Task SendAllAsync()
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < requests.Count)
                {
                    var request = requests[index];
                    var instance = index % 2;
                    var backoff = TimeSpan.FromMilliseconds(100);
                    while (true)
                    {
                        var entry = await SendAsync(clients[instance]!, request, instance, clock);
                        ledger.Enqueue(entry);
                        // An unknown outcome (no answer, or 503 while no server takes writes) is retried with the same
                        // key, on the other instance, until the failover is well past its bound.
                        if (entry.Outcome != Outcome.Unknown || entry.InProgress || clock.Elapsed > giveUpAt)
                        {
                            finals[index] = entry;
                            break;
                        }

                        await Task.Delay(backoff);
                        backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 1000));
                        instance = 1 - instance;
                    }
                }
            }

            var load = Enumerable.Range(0, 6).Select(_ => Task.Run(SendAllAsync)).ToList();
            // A third of the way in, the primary's node dies.
            while (Volatile.Read(ref next) < requests.Count / 3 && !load.All(t => t.IsCompleted))
            {
                await Task.Delay(20);
            }

            // The senders give up on an unknown outcome well after the bound; the exact moment is the signals'.
            giveUpAt = clock.Elapsed + RecoveryBound + TimeSpan.FromSeconds(30);
            var signalled = await old!.KillAsync();
            killedAt = clock.Elapsed - Stopwatch.GetElapsedTime(signalled);
            output.WriteLine($"killed {old.Name} (the primary) after {ledger.Count(e => e.Status == 201)} bookings were acknowledged");
            var promoted = await Eventually.ReadAsync(cluster.LeaderAsync, leader => leader == standby, RecoveryBound);
            var promotedAfter = clock.Elapsed - killedAt;
            Assert.True(promoted == standby, $"Patroni did not promote {standby.Name} within {TestTimeouts.Scaled(RecoveryBound).TotalSeconds:F0} s of the kill\n{cluster.Describe()}");

            await Task.WhenAll(load);
            var entries = ledger.ToList();
            var firstSuccess = entries.Where(e => e.Status == 201 && e.Started >= killedAt).Select(e => e.Finished - killedAt).DefaultIfEmpty(TimeSpan.MaxValue).Min();
            var summary = $"Patroni promoted {standby.Name} {promotedAfter.TotalSeconds:F1} s after the kill; the first booking succeeded " +
                (firstSuccess == TimeSpan.MaxValue ? "never" : $"{firstSuccess.TotalSeconds:F1} s after the kill");
            output.WriteLine(summary);
            output.WriteLine($"answers: {string.Join(", ", entries.GroupBy(e => (e.Status, e.InProgress)).OrderBy(g => g.Key.Status).Select(g => $"{g.Count()} x {(g.Key.Status == 0 ? "no answer" : g.Key.Status)}{(g.Key.InProgress ? " in progress" : "")}"))}");
            Assert.True(firstSuccess < RecoveryBound, $"{summary}: no booking succeeded within {RecoveryBound.TotalSeconds:F0} s of the kill\n{cluster.Describe()}");

            var final = finals.Select(f => f!).ToList();
            var acknowledged = final.Where(e => e.Outcome == Outcome.Acknowledged).ToList();
            var rejected = final.Where(e => e.Outcome == Outcome.Rejected).ToList();
            var unsettled = final.Where(e => e.Outcome == Outcome.Unknown).ToList();
            // Keys with an attempt whose outcome the client never learnt (cut off, or 503 after it may have committed).
            var uncertain = entries.Where(e => e.Outcome == Outcome.Unknown).Select(e => e.Request.Key).ToHashSet();
            output.WriteLine($"{acknowledged.Count} acknowledged ({acknowledged.Count(e => e.Finished < killedAt)} before the kill), {rejected.Count} refused, " +
                $"{unsettled.Count} left pending (409 still being processed); {uncertain.Count} bookings were retried with their key after an unknown outcome");
            Assert.Equal(requests.Count, final.Count);
            Assert.Contains(acknowledged, e => e.Finished < killedAt);
            Assert.Contains(acknowledged, e => e.Started > killedAt + promotedAfter);
            var failures = entries.Where(e => e.Status >= 500 && e.Status != 503).ToList();
            Assert.True(failures.Count == 0, $"{failures.Count} answers were {string.Join(", ", failures.Select(e => e.Status).Distinct())}, not 503, while no server took writes\n" +
                string.Join('\n', instances.SelectMany(i => FaultApis.ErrorLines(i!)).Where(l => l.Contains("\"@x\"", StringComparison.Ordinal)).Take(3)));
            Assert.True(entries.Where(e => e.Status == 503).All(e => e.RetryAfter), "a 503 without Retry-After");
            Assert.All(rejected, e => Assert.Equal(409, e.Status));
            Assert.All(unsettled, e => Assert.True(e.InProgress, $"a booking still had no answer {RecoveryBound.TotalSeconds + 30:F0} s after the kill"));

            // The checks read the new primary itself.
            Assert.Equal(0, await PrimaryCheckAsync(cluster.SuperuserUrl(standby)));
            await using var db = TestServers.OpenDbContext(cluster.SuperuserUrl(standby));
            var stored = await db.Appointments.AsNoTracking().Where(a => a.ClinicId == first.ClinicId)
                .Select(a => new { a.Id, a.PatientId, a.PractitionerId, a.StartsAt, a.Status }).ToListAsync();

            // Zero acknowledged bookings lost: every 201, before, during and after the failover, is there as answered.
            foreach (var entry in acknowledged)
            {
                var row = stored.SingleOrDefault(a => a.Id == entry.AppointmentId);
                Assert.True(row is not null, $"an acknowledged booking ({(entry.Finished < killedAt ? "before" : "after")} the kill) is missing on the new primary");
                Assert.Equal((entry.Request.PatientId, entry.Request.PractitionerId, entry.Request.StartsAt), (row.PatientId, row.PractitionerId, row.StartsAt));
            }

            foreach (var entry in rejected.Concat(unsettled))
            {
                var count = stored.Count(a => a.PatientId == entry.Request.PatientId);
                if (uncertain.Contains(entry.Request.Key) || entry.InProgress)
                {
                    // An attempt may have committed before its answer was lost: then it is there, but only once.
                    Assert.True(count <= 1, "a booking retried with its idempotency key exists twice");
                }
                else
                {
                    Assert.True(count == 0, "a booking the client was told was refused exists");
                }
            }

            // No patient booked twice, no practitioner double-booked, no appointment the client was not told about.
            var active = stored.Where(a => a.Status != AppointmentStatus.Cancelled).ToList();
            Assert.All(active.GroupBy(a => a.PatientId), g => Assert.Single(g));
            Assert.All(active.GroupBy(a => (a.PractitionerId, a.StartsAt)), g => Assert.True(g.Count() == 1, "two active appointments in one practitioner's slot"));
            var known = acknowledged.Select(e => e.AppointmentId).ToHashSet();
            var maybe = final.Where(e => uncertain.Contains(e.Request.Key) || e.InProgress).Select(e => e.Request.PatientId).ToHashSet();
            Assert.All(stored, a => Assert.True(known.Contains(a.Id) || maybe.Contains(a.PatientId), "an appointment nobody was told about"));

            // The worker reached the new primary as well: the outbox rows of every booking, those made after the
            // failover included, are dispatched there.
            var pending = await Eventually.ReadAsync(() => PendingOutboxAsync(cluster.SuperuserUrl(standby)), n => n == 0, RecoveryBound);
            Assert.True(pending == 0, $"{pending} outbox rows were not dispatched by the worker within {TestTimeouts.Scaled(RecoveryBound).TotalSeconds:F0} s after the failover\n" +
                string.Join('\n', FaultApis.ErrorLines(worker).Take(3)));
        }
        finally
        {
            if (worker is not null)
            {
                await worker.DisposeAsync();
            }

            foreach (var client in clients)
            {
                client?.Dispose();
            }

            foreach (var instance in instances)
            {
                if (instance is not null)
                {
                    await instance.DisposeAsync();
                }
            }
        }
    }

    private static Task<HostProcess> StartApiAsync(string runtimeUrl) =>
        FaultApis.StartAsync(runtimeUrl, s => s["DATABASE_URL"] = runtimeUrl);

    private static async Task<int> PendingOutboxAsync(string url)
    {
        await using var db = TestServers.OpenDbContext(url);
        return await db.Database.SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM outbox_messages WHERE processed_at IS NULL").SingleAsync();
    }

    /// <summary>1 when the server at <paramref name="url"/> is in recovery (a standby), 0 when it is a primary.</summary>
    private static async Task<int> PrimaryCheckAsync(string url)
    {
        await using var db = TestServers.OpenDbContext(url);
        return await db.Database.SqlQueryRaw<int>("SELECT CASE WHEN pg_is_in_recovery() THEN 1 ELSE 0 END AS \"Value\"").SingleAsync();
    }

    /// <summary>Request i: its own patient; practitioners alternate; every fifth reuses the slot of the one before.</summary>
    private static Booking Plan(int i, ClinicSetup first, ClinicSetup second)
    {
        var slotIndex = i % 5 == 4 ? i - 2 : i;
        var practitioner = slotIndex % 2 == 0 ? first : second;
        var perPractitioner = slotIndex / 2;
        var startsAt = ClinicSetup.Local(10 + (perPractitioner / 10), 8 + (perPractitioner % 10));
        return new Booking(Guid.NewGuid().ToString(), first.ClinicId, first.PatientIds[i], practitioner.PractitionerId, practitioner.TypeId, startsAt);
    }

    private static async Task<Entry> SendAsync(HttpClient client, Booking request, int instance, Stopwatch clock)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/clinics/{request.ClinicId}/appointments")
        {
            Content = JsonContent.Create(new { patientId = request.PatientId, practitionerId = request.PractitionerId, appointmentTypeId = request.TypeId, startsAt = request.StartsAt }),
        };
        message.Headers.Add(Idempotency.KeyHeader, request.Key);
        var started = clock.Elapsed;
        try
        {
            using var response = await client.SendAsync(message);
            var status = (int)response.StatusCode;
            if (status == 201)
            {
                var appointment = await response.Content.ReadFromJsonAsync<AppointmentDto>();
                return new Entry(request, instance, Outcome.Acknowledged, status, appointment!.Id, false, started, clock.Elapsed, false);
            }

            var body = await response.Content.ReadAsStringAsync();
            var inProgress = status == 409 && !JsonDocument.Parse(body).RootElement.TryGetProperty("conflict", out _);
            var outcome = status is >= 400 and < 500 && !inProgress ? Outcome.Rejected : Outcome.Unknown;
            return new Entry(request, instance, outcome, status, null, inProgress, started, clock.Elapsed, response.Headers.RetryAfter is not null);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new Entry(request, instance, Outcome.Unknown, 0, null, false, started, clock.Elapsed, false);
        }
    }

    private enum Outcome
    {
        Acknowledged,
        Rejected,
        Unknown,
    }

    private sealed record Booking(string Key, Guid ClinicId, Guid PatientId, Guid PractitionerId, Guid TypeId, DateTimeOffset StartsAt);

    private sealed record Entry(Booking Request, int Instance, Outcome Outcome, int Status, Guid? AppointmentId, bool InProgress, TimeSpan Started, TimeSpan Finished, bool RetryAfter);
}
