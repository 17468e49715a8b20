using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Healthcare.Api.Features.Scheduling;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Healthcare.Core.Scheduling;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.IntegrationTests.Scheduling;

public sealed class BookingTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task FiftyConcurrentBookingsOfOneSlotGiveExactlyOneAppointment()
    {
        var setup = await ClinicSetup.CreateAsync(api, patients: 50);
        var client = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
        var slot = ClinicSetup.Local(7, 10);

        using var start = new ManualResetEventSlim();
        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await client.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(slot, patient: i));
        })).Select(t => { start.Set(); return t; }));

        var statuses = responses.Select(r => r.StatusCode).ToList();
        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(49, statuses.Count(s => s == HttpStatusCode.Conflict));
        var conflict = await responses.First(r => r.StatusCode == HttpStatusCode.Conflict).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(BookingConflicts.SlotTaken, conflict.GetProperty("conflict").GetString());
        Assert.Equal(1, await api.WithDbAsync(db => db.Appointments.CountAsync(a => a.PractitionerId == setup.PractitionerId)));
    }

    [Fact]
    public async Task AnOverlapWithTheBufferOrThePatientsOtherVisitIsRefusedByTheDatabase()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var client = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
        var url = $"/api/v1/clinics/{setup.ClinicId}/appointments";
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync(url, setup.Booking(ClinicSetup.Local(8, 10)))).StatusCode);

        // 10:30 falls in the 10-minute buffer after the 10:00-10:30 visit; 10:40 is free.
        var inBuffer = await client.PostAsJsonAsync(url, setup.Booking(ClinicSetup.Local(8, 10, 30), patient: 1));
        var afterBuffer = await client.PostAsJsonAsync(url, setup.Booking(ClinicSetup.Local(8, 10, 40), patient: 1));
        var secondSetup = await ClinicSetup.CreateAsync(api, existing: await api.WithDbAsync(db => db.Clinics.SingleAsync(c => c.Id == setup.ClinicId)));
        var samePatientElsewhere = await client.PostAsJsonAsync(url, new
        {
            patientId = setup.PatientIds[0],
            practitionerId = secondSetup.PractitionerId,
            appointmentTypeId = secondSetup.TypeId,
            startsAt = ClinicSetup.Local(8, 10, 15),
        });

        Assert.Equal(HttpStatusCode.Conflict, inBuffer.StatusCode);
        Assert.Equal(HttpStatusCode.Created, afterBuffer.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, samePatientElsewhere.StatusCode);
        Assert.Equal(BookingConflicts.PatientBusy, (await samePatientElsewhere.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("conflict").GetString());
    }

    [Fact]
    public async Task BookingsOutsideWorkingHoursDuringTimeOffOrInThePastAreRefused()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, setup.ClinicId));
        var url = $"/api/v1/clinics/{setup.ClinicId}/appointments";
        var away = await admin.PostAsJsonAsync(
            $"/api/v1/clinics/{setup.ClinicId}/practitioners/{setup.PractitionerId}/time-off",
            new { startsAt = ClinicSetup.Local(9, 12), endsAt = ClinicSetup.Local(9, 14), reason = "training" });
        Assert.Equal(HttpStatusCode.Created, away.StatusCode);

        var early = await admin.PostAsJsonAsync(url, setup.Booking(ClinicSetup.Local(9, 7, 30)));
        var late = await admin.PostAsJsonAsync(url, setup.Booking(ClinicSetup.Local(9, 17, 45)));
        var duringTimeOff = await admin.PostAsJsonAsync(url, setup.Booking(ClinicSetup.Local(9, 13)));
        var past = await admin.PostAsJsonAsync(url, setup.Booking(ClinicSetup.Local(-1, 10)));
        var unknownPatient = await admin.PostAsJsonAsync(url, new
        {
            patientId = Guid.NewGuid(),
            practitionerId = setup.PractitionerId,
            appointmentTypeId = setup.TypeId,
            startsAt = ClinicSetup.Local(9, 10),
        });

        Assert.Equal(BookingConflicts.OutsideWorkingHours, await ConflictAsync(early));
        Assert.Equal(BookingConflicts.OutsideWorkingHours, await ConflictAsync(late));
        Assert.Equal(BookingConflicts.TimeOff, await ConflictAsync(duringTimeOff));
        await ProblemAssert.FieldAsync(past, HttpStatusCode.BadRequest, "startsAt");
        await ProblemAssert.FieldAsync(unknownPatient, HttpStatusCode.BadRequest, "patientId");
    }

    [Fact]
    public async Task AChangeThatLosesTheRaceForTheRowIsAnswered409AndStoresNothing()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var client = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Nurse, setup.ClinicId));
        var created = await client.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(ClinicSetup.Local(10, 11)));
        var id = (await created.Content.ReadFromJsonAsync<AppointmentDto>())!.Id;

        // The cancellation reads the appointment, then waits to write it while another change commits first.
        await using var other = new Npgsql.NpgsqlConnection(Healthcare.Core.Configuration.PostgresConnectionString.Parse(api.DatabaseUrl).ConnectionString);
        await other.OpenAsync();
        await using var transaction = await other.BeginTransactionAsync();
        await using (var share = new Npgsql.NpgsqlCommand("LOCK TABLE appointments IN SHARE MODE", other, transaction))
        {
            await share.ExecuteNonQueryAsync();
        }

        var cancel = client.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments/{id}/cancel", new { reason = "patient is travelling" });
        await using (var waiting = new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'appointments'::regclass", other, transaction))
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while ((long)(await waiting.ExecuteScalarAsync())! == 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the cancellation never reached its write");
                await Task.Delay(50);
            }
        }

        await using (var change = new Npgsql.NpgsqlCommand("UPDATE appointments SET location_id = location_id WHERE id = @id", other, transaction))
        {
            change.Parameters.AddWithValue("id", id);
            Assert.Equal(1, await change.ExecuteNonQueryAsync());
        }

        await transaction.CommitAsync();
        var answer = await cancel;

        await ProblemAssert.StatusAsync(answer, HttpStatusCode.Conflict);
        Assert.Equal(AppointmentStatus.Booked, await api.WithDbAsync(db => db.Appointments.Where(a => a.Id == id).Select(a => a.Status).SingleAsync()));
    }

    [Fact]
    public async Task TheLifeCycleFollowsTheStateMachineAndIllegalStepsName409TheCurrentState()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var client = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Nurse, setup.ClinicId));
        var created = await client.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(ClinicSetup.Local(10, 9)));
        var appointment = (await created.Content.ReadFromJsonAsync<AppointmentDto>())!;
        var url = $"/api/v1/clinics/{setup.ClinicId}/appointments/{appointment.Id}";

        var completeTooEarly = await client.PostAsync($"{url}/complete", null);
        var noShowBeforeStart = await client.PostAsync($"{url}/no-show", null);
        var checkIn = await client.PostAsync($"{url}/check-in", null);
        var rescheduleCheckedIn = await client.PostAsJsonAsync($"{url}/reschedule", new { startsAt = ClinicSetup.Local(11, 9) });
        var begin = await client.PostAsync($"{url}/start", null);
        var complete = await client.PostAsync($"{url}/complete", null);
        var cancelCompleted = await client.PostAsJsonAsync($"{url}/cancel", new { reason = "too late" });

        Assert.Equal("booked", (await ProblemAssert.StatusAsync(completeTooEarly, HttpStatusCode.Conflict)).GetProperty("currentState").GetString());
        Assert.Equal(HttpStatusCode.Conflict, noShowBeforeStart.StatusCode);
        Assert.Equal(HttpStatusCode.OK, checkIn.StatusCode);
        Assert.Equal("checked_in", (await ProblemAssert.StatusAsync(rescheduleCheckedIn, HttpStatusCode.Conflict)).GetProperty("currentState").GetString());
        Assert.Equal(HttpStatusCode.OK, begin.StatusCode);
        var done = (await complete.Content.ReadFromJsonAsync<AppointmentDto>())!;
        Assert.Equal(("completed", true, true, true), (done.Status, done.CheckedInAt.HasValue, done.StartedAt.HasValue, done.CompletedAt.HasValue));
        Assert.Equal("completed", (await ProblemAssert.StatusAsync(cancelCompleted, HttpStatusCode.Conflict)).GetProperty("currentState").GetString());
        // Answered in the clinic's local time, with that day's offset.
        Assert.Equal(ClinicSetup.Local(10, 9).Offset, done.StartsAt.Offset);
    }

    [Fact]
    public async Task RescheduleMovesTheVisitAndHonoursIfMatch()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var client = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
        var created = await client.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(ClinicSetup.Local(12, 9)));
        var id = (await created.Content.ReadFromJsonAsync<AppointmentDto>())!.Id;
        var url = $"/api/v1/clinics/{setup.ClinicId}/appointments/{id}/reschedule";

        using var stale = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(new { startsAt = ClinicSetup.Local(12, 11) }) };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        var staleResponse = await client.SendAsync(stale);
        using var current = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(new { startsAt = ClinicSetup.Local(12, 11) }) };
        current.Headers.IfMatch.Add(created.Headers.ETag!);
        var moved = await client.SendAsync(current);

        Assert.Equal(HttpStatusCode.PreconditionFailed, staleResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(ClinicSetup.Local(12, 11), (await moved.Content.ReadFromJsonAsync<AppointmentDto>())!.StartsAt);
        Assert.Single(await ClinicSetup.OutboxAsync(api, OutboxKinds.AppointmentRescheduled, id));
    }

    [Fact]
    public async Task BookingWritesAConfirmationToTheOutboxAndAnAuditRowForThePatient()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var client = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));

        var created = await client.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(ClinicSetup.Local(13, 9)));
        var id = (await created.Content.ReadFromJsonAsync<AppointmentDto>())!.Id;
        await client.GetAsync($"/api/v1/clinics/{setup.ClinicId}/appointments/{id}");

        var audit = await api.WithDbAsync(db => db.AuditEvents.Where(e => e.ResourceId == id.ToString()).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal([AuditActions.Create, AuditActions.Read], audit.Select(e => e.Action));
        Assert.All(audit, e => Assert.Equal(setup.PatientIds[0], e.PatientId));
        Assert.Single(await ClinicSetup.OutboxAsync(api, OutboxKinds.AppointmentBooked, id));
    }

    [Fact]
    public async Task AnotherClinicsStaffCannotSeeOrTouchTheAppointment()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var other = await ClinicSetup.CreateAsync(api);
        var ours = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
        var theirs = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, other.ClinicId));
        var created = await ours.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(ClinicSetup.Local(14, 9)));
        var id = (await created.Content.ReadFromJsonAsync<AppointmentDto>())!.Id;

        var direct = await theirs.GetAsync($"/api/v1/clinics/{setup.ClinicId}/appointments/{id}");
        var throughOwnClinic = await theirs.GetAsync($"/api/v1/clinics/{other.ClinicId}/appointments/{id}");
        var cancel = await theirs.PostAsJsonAsync($"/api/v1/clinics/{other.ClinicId}/appointments/{id}/cancel", new { reason = "mischief" });
        var bookTheirPatientHere = await theirs.PostAsJsonAsync($"/api/v1/clinics/{other.ClinicId}/appointments", new
        {
            patientId = setup.PatientIds[1],
            practitionerId = other.PractitionerId,
            appointmentTypeId = other.TypeId,
            startsAt = ClinicSetup.Local(14, 11),
        });
        var list = await (await theirs.GetAsync($"/api/v1/clinics/{other.ClinicId}/appointments")).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.NotFound, direct.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, throughOwnClinic.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, bookTheirPatientHere.StatusCode);
        Assert.Equal(0, list.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task ListsArePaginatedByStartTimeAndRejectUnknownParameters()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var client = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
        foreach (var hour in new[] { 15, 9, 12 })
        {
            await client.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(ClinicSetup.Local(15, hour), patient: hour % 3));
        }

        var first = await (await client.GetAsync($"/api/v1/clinics/{setup.ClinicId}/appointments?limit=2")).Content.ReadFromJsonAsync<Page<AppointmentDto>>();
        var second = await (await client.GetAsync(first!.Next)).Content.ReadFromJsonAsync<Page<AppointmentDto>>();
        var unknown = await client.GetAsync($"/api/v1/clinics/{setup.ClinicId}/appointments?orderBy=patient");
        var badCursor = await client.GetAsync($"/api/v1/clinics/{setup.ClinicId}/appointments?cursor=nonsense");

        Assert.Equal([9, 12, 15], first.Items.Concat(second!.Items).Select(a => a.StartsAt.Hour));
        Assert.Null(second.Next);
        await ProblemAssert.FieldAsync(unknown, HttpStatusCode.BadRequest, "orderBy");
        await ProblemAssert.FieldAsync(badCursor, HttpStatusCode.BadRequest, "cursor");
    }

    [Fact]
    public async Task ARetriedBookingWithTheSameIdempotencyKeyBooksOnce()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var client = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
        var key = Guid.NewGuid().ToString();

        async Task<HttpResponseMessage> BookAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/clinics/{setup.ClinicId}/appointments")
            {
                Content = JsonContent.Create(setup.Booking(ClinicSetup.Local(16, 9))),
            };
            request.Headers.Add("Idempotency-Key", key);
            return await client.SendAsync(request);
        }

        var first = await BookAsync();
        var retry = await BookAsync();

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, retry.StatusCode));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal(1, await api.WithDbAsync(db => db.Appointments.CountAsync(a => a.PractitionerId == setup.PractitionerId)));
    }

    [Fact]
    public async Task TheQueueShowsCheckedInPatientsInArrivalOrderAndTheActiveCountFollows()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var client = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
        var ids = new List<Guid>();
        foreach (var (hour, patient) in new[] { (9, 0), (10, 1), (11, 2) })
        {
            // Today's visits, written directly: booking through the API refuses times already past.
            ids.Add(await api.WithDbAsync(async db =>
            {
                var type = await db.AppointmentTypes.SingleAsync(t => t.Id == setup.TypeId);
                var appointment = Appointment.Book(
                    setup.ClinicId, setup.PractitionerId, setup.PatientIds[patient], type, setup.LocationId, ClinicSetup.Local(0, hour), null, DateTimeOffset.UtcNow);
                db.Appointments.Add(appointment);
                await db.SaveChangesAsync();
                return appointment.Id;
            }));
        }

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/clinics/{setup.ClinicId}/appointments/{ids[2]}/check-in", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/v1/clinics/{setup.ClinicId}/appointments/{ids[0]}/check-in", null)).StatusCode);
        var queue = await client.GetFromJsonAsync<List<QueueEntryDto>>($"/api/v1/clinics/{setup.ClinicId}/appointments/queue");
        var active = await api.WithDbAsync(db => ActiveAppointments.CountByClinicAsync(db, CancellationToken.None));

        Assert.Equal([ids[2], ids[0]], queue!.Select(q => q.AppointmentId));
        Assert.Equal("Pat2 Ient", queue![0].PatientName);
        Assert.All(queue, q => Assert.InRange(q.WaitingMinutes, 0, 1));
        Assert.Equal(2, active[setup.ClinicId]);
    }


    private static async Task<string?> ConflictAsync(HttpResponseMessage response) =>
        (await ProblemAssert.StatusAsync(response, HttpStatusCode.Conflict)).GetProperty("conflict").GetString();
}
