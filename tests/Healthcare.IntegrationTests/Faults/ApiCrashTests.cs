using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Healthcare.Api.Features.Scheduling;
using Healthcare.Api.Platform;
using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Scheduling;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Healthcare.IntegrationTests.Faults;

/// <summary>
/// kill -9 of an API instance in the middle of a concurrent booking load on two instances. The client keeps a
/// ledger of every answer; afterwards the database must agree with it: every acknowledged booking is there,
/// every refused one is not, and the unknowns, retried with their idempotency keys, are there at most once.
/// </summary>
public sealed class ApiCrashTests(ITestOutputHelper output)
{
    [Fact]
    public Task AnApiKilledUnderBookingLoadLosesNoAcknowledgedBookingAndDuplicatesNone() => KillUnderLoadAsync(bookings: 80, kills: 1);

    [Fact]
    [Trait("Category", "Chaos")]
    public Task ThreeApiKillsUnderALongerBookingLoadLoseNoAcknowledgedBookingAndDuplicateNone() => KillUnderLoadAsync(bookings: 400, kills: 3);

    private async Task KillUnderLoadAsync(int bookings, int kills)
    {
        var databaseUrl = await TestServers.CreateDatabaseAsync(nameof(ApiCrashTests));
        var instances = new HostProcess?[2];
        try
        {
            await TestServers.MigrateAsync(databaseUrl);
            // Two practitioners; every patient books once, and one request in five asks for a slot another asked for.
            var first = await ClinicSetup.CreateAsync(databaseUrl, patients: bookings);
            var second = await ClinicSetup.CreateAsync(databaseUrl, patients: 0, clinicId: first.ClinicId);
            var account = await FaultApis.CreateUserAsync(databaseUrl, ClinicRoles.Receptionist, first.ClinicId);
            var starting = new[] { FaultApis.StartAsync(databaseUrl), FaultApis.StartAsync(databaseUrl) };
            instances[0] = await starting[0];
            instances[1] = await starting[1];
            var token = await FaultApis.TokenAsync(instances[0]!, account);
            var requests = Enumerable.Range(0, bookings).Select(i => Plan(i, first, second)).ToList();

            var ledger = new ConcurrentBag<Entry>();
            var next = -1;
            var killed = 0;
            var clients = new HttpClient?[2];
            HttpClient ClientFor(int instance) => clients[instance] ??= FaultApis.Client(instances[instance]!, token, TimeSpan.FromSeconds(20));

            async Task SendAllAsync()
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < requests.Count)
                {
                    var request = requests[index];
                    // Instance 0 takes the kills; it is restarted after each but the last.
                    var instance = index % 2;
                    ledger.Add(await SendAsync(ClientFor(instance), request, instance));
                }
            }

            var load = Enumerable.Range(0, 8).Select(_ => Task.Run(SendAllAsync)).ToList();
            for (var kill = 1; kill <= kills; kill++)
            {
                // Spread the kills over the load.
                while (Volatile.Read(ref next) < requests.Count * kill / (kills + 1))
                {
                    await Task.Delay(20);
                }

                await instances[0]!.KillAsync();
                killed++;
                if (kill < kills)
                {
                    await instances[0]!.DisposeAsync();
                    clients[0]?.Dispose();
                    clients[0] = null;
                    instances[0] = await FaultApis.StartAsync(databaseUrl);
                }
            }

            await Task.WhenAll(load);
            Assert.Equal(kills, killed);

            var entries = ledger.ToList();
            var acknowledged = entries.Where(e => e.Outcome == Outcome.Acknowledged).ToList();
            var rejected = entries.Where(e => e.Outcome == Outcome.Rejected).ToList();
            var unknown = entries.Where(e => e.Outcome == Outcome.Unknown).ToList();
            output.WriteLine($"{acknowledged.Count} acknowledged, {rejected.Count} refused, {unknown.Count} unknown");
            Assert.Equal(requests.Count, entries.Count);
            Assert.NotEmpty(unknown);
            Assert.Contains(acknowledged, e => e.Instance == 0);
            Assert.DoesNotContain(entries, e => e.Status >= 500 && e.Status != 503);
            Assert.All(rejected, e => Assert.Equal(409, e.Status));

            // The client retries each unknown with the same key on the surviving instance.
            var retried = new List<Entry>();
            foreach (var entry in unknown)
            {
                retried.Add(await SendAsync(ClientFor(1), entry.Request, 1));
            }

            output.WriteLine($"retries: {string.Join(", ", retried.GroupBy(r => (r.Status, r.Replayed)).Select(g => $"{g.Count()} x {g.Key.Status}{(g.Key.Replayed ? " replayed" : "")}"))}");

            await using var db = TestServers.OpenDbContext(databaseUrl);
            var stored = await db.Appointments.AsNoTracking().Where(a => a.ClinicId == first.ClinicId)
                .Select(a => new { a.Id, a.PatientId, a.PractitionerId, a.StartsAt }).ToListAsync();

            // Every acknowledged booking exists, as acknowledged.
            foreach (var entry in acknowledged.Concat(retried.Where(r => r.Outcome == Outcome.Acknowledged)))
            {
                var row = Assert.Single(stored, a => a.Id == entry.AppointmentId);
                Assert.Equal((entry.Request.PatientId, entry.Request.PractitionerId, entry.Request.StartsAt), (row.PatientId, row.PractitionerId, row.StartsAt));
            }

            // Nothing exists that the client was told was refused.
            foreach (var entry in rejected)
            {
                Assert.DoesNotContain(stored, a => a.PatientId == entry.Request.PatientId);
            }

            foreach (var (entry, retry) in unknown.Zip(retried))
            {
                switch (retry.Status)
                {
                    case 201:
                        break;
                    case 409 when retry.InProgress:
                        // Killed after its commit and before its answer was stored: after IdempotencyStore.AbandonedAfter
                        // the key may be run again. The booking is there or not, but only once.
                        Assert.True(stored.Count(a => a.PatientId == entry.Request.PatientId) <= 1);
                        break;
                    case 409:
                        Assert.DoesNotContain(stored, a => a.PatientId == entry.Request.PatientId);
                        break;
                    default:
                        Assert.Fail($"a retry answered {retry.Status}");
                        break;
                }
            }

            // Each patient booked once at most, and no practitioner is double-booked.
            Assert.All(stored.GroupBy(a => a.PatientId), g => Assert.Single(g));
            Assert.All(stored.GroupBy(a => (a.PractitionerId, a.StartsAt)), g => Assert.Single(g));
            var known = acknowledged.Select(e => e.AppointmentId).Concat(retried.Where(r => r.Outcome == Outcome.Acknowledged).Select(r => r.AppointmentId)).ToHashSet();
            var inProgress = unknown.Zip(retried).Where(p => p.Second.InProgress).Select(p => p.First.Request.PatientId).ToHashSet();
            Assert.All(stored, a => Assert.True(known.Contains(a.Id) || inProgress.Contains(a.PatientId), "an appointment nobody was told about"));
            foreach (var client in clients)
            {
                client?.Dispose();
            }
        }
        finally
        {
            foreach (var instance in instances)
            {
                if (instance is not null)
                {
                    await instance.DisposeAsync();
                }
            }

            await TestServers.DropDatabaseAsync(databaseUrl);
        }
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

    private static async Task<Entry> SendAsync(HttpClient client, Booking request, int instance)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/clinics/{request.ClinicId}/appointments")
        {
            Content = JsonContent.Create(new { patientId = request.PatientId, practitionerId = request.PractitionerId, appointmentTypeId = request.TypeId, startsAt = request.StartsAt }),
        };
        message.Headers.Add(Idempotency.KeyHeader, request.Key);
        try
        {
            using var response = await client.SendAsync(message);
            var status = (int)response.StatusCode;
            var replayed = response.Headers.Contains(Idempotency.ReplayedHeader);
            if (status == 201)
            {
                var appointment = await response.Content.ReadFromJsonAsync<AppointmentDto>();
                return new Entry(request, instance, Outcome.Acknowledged, status, appointment!.Id, replayed, false);
            }

            var body = await response.Content.ReadAsStringAsync();
            var inProgress = status == 409 && !JsonDocument.Parse(body).RootElement.TryGetProperty("conflict", out _);
            return new Entry(request, instance, status is >= 400 and < 500 && !inProgress ? Outcome.Rejected : Outcome.Unknown, status, null, replayed, inProgress);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new Entry(request, instance, Outcome.Unknown, 0, null, false, false);
        }
    }

    private enum Outcome
    {
        Acknowledged,
        Rejected,
        Unknown,
    }

    private sealed record Booking(string Key, Guid ClinicId, Guid PatientId, Guid PractitionerId, Guid TypeId, DateTimeOffset StartsAt);

    private sealed record Entry(Booking Request, int Instance, Outcome Outcome, int Status, Guid? AppointmentId, bool Replayed, bool InProgress);
}
