using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Healthcare.Api.Features.Scheduling;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Healthcare.Core.Scheduling;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.IntegrationTests.Scheduling;

public sealed class WaitlistAndSeriesTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task ACancellationOffersTheSlotToTheFirstWaitingPatientWhoCanAcceptIt()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var staff = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
        var (waiting, waitingClient) = await PatientAccountAsync(setup, 1);
        var slot = ClinicSetup.Local(5, 10);
        var booked = await staff.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(slot));
        var bookedId = (await booked.Content.ReadFromJsonAsync<AppointmentDto>())!.Id;
        var day = DateOnly.FromDateTime(slot.Date);
        var joined = await waitingClient.PostAsJsonAsync("/api/v1/me/waitlist", new
        {
            clinicId = setup.ClinicId,
            practitionerId = setup.PractitionerId,
            appointmentTypeId = setup.TypeId,
            fromDate = day.AddDays(-1),
            toDate = day.AddDays(1),
        });
        Assert.Equal(HttpStatusCode.Created, joined.StatusCode);

        var cancelled = await staff.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments/{bookedId}/cancel", new { reason = "patient is travelling" });

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        var hold = await api.WithDbAsync(db => db.Appointments.SingleAsync(a => a.PatientId == waiting && a.Status == AppointmentStatus.Held));
        Assert.Equal(slot, hold.StartsAt);
        Assert.NotNull(hold.HoldExpiresAt);
        Assert.Single(await ClinicSetup.OutboxAsync(api, OutboxKinds.WaitlistOffer, hold.Id));
        // Nobody else can take the held slot.
        var other = await staff.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(slot, patient: 2));
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);

        var accepted = await waitingClient.PostAsync($"/api/v1/me/appointments/{hold.Id}/accept", null);

        Assert.Equal("booked", (await accepted.Content.ReadFromJsonAsync<AppointmentDto>())!.Status);
        var entry = await api.WithDbAsync(db => db.WaitlistEntries.SingleAsync(w => w.PatientId == waiting));
        Assert.Equal(WaitlistStatus.Booked, entry.Status);
    }

    [Fact]
    public async Task ALapsedHoldGoesToTheNextPatientInLine()
    {
        var setup = await ClinicSetup.CreateAsync(api, patients: 4);
        var staff = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
        var slot = ClinicSetup.Local(6, 11);
        var booked = await staff.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(slot));
        var bookedId = (await booked.Content.ReadFromJsonAsync<AppointmentDto>())!.Id;
        foreach (var patient in new[] { 1, 2 })
        {
            var joined = await staff.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/waitlist", new
            {
                patientId = setup.PatientIds[patient],
                practitionerId = setup.PractitionerId,
                appointmentTypeId = setup.TypeId,
                fromDate = DateOnly.FromDateTime(slot.Date),
                toDate = DateOnly.FromDateTime(slot.Date),
            });
            Assert.Equal(HttpStatusCode.Created, joined.StatusCode);
        }

        await staff.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments/{bookedId}/cancel", new { reason = "rescheduled by phone" });
        await api.WithDbAsync(db => db.Database.ExecuteSqlAsync(
            $"UPDATE appointments SET hold_expires_at = now() - interval '1 minute' WHERE status = 'held' AND patient_id = {setup.PatientIds[1]}"));

        var expired = await api.WithDbAsync(db => WaitlistOffers.ExpireHoldsAsync(db, DateTimeOffset.UtcNow, CancellationToken.None));

        Assert.Equal(1, expired);
        var states = await api.WithDbAsync(db => db.Appointments.Where(a => a.PractitionerId == setup.PractitionerId)
            .Select(a => new { a.PatientId, a.Status }).ToListAsync());
        Assert.Contains(states, s => s.PatientId == setup.PatientIds[1] && s.Status == AppointmentStatus.Expired);
        Assert.Contains(states, s => s.PatientId == setup.PatientIds[2] && s.Status == AppointmentStatus.Held);
        var first = await api.WithDbAsync(db => db.WaitlistEntries.SingleAsync(w => w.PatientId == setup.PatientIds[1]));
        Assert.Equal(WaitlistStatus.Waiting, first.Status);
    }

    [Fact]
    public async Task ASeriesBooksEachOccurrenceAndReportsTheOneThatConflicts()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var staff = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Doctor, setup.ClinicId));
        // Someone else already has the third week's slot.
        var taken = await staff.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(ClinicSetup.Local(3 + 14, 14), patient: 1));
        Assert.Equal(HttpStatusCode.Created, taken.StatusCode);

        var created = await staff.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointment-series", new
        {
            patientId = setup.PatientIds[0],
            practitionerId = setup.PractitionerId,
            appointmentTypeId = setup.TypeId,
            firstStartsAt = ClinicSetup.Local(3, 14),
            intervalWeeks = 1,
            occurrences = 4,
        });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var series = (await created.Content.ReadFromJsonAsync<SeriesDto>())!;
        Assert.Equal(["booked", "booked", "conflict", "booked"], series.Results.Select(r => r.Outcome));
        Assert.Equal(BookingConflicts.SlotTaken, series.Results[2].Conflict);
        // Every occurrence is at 14:00 on the clinic's wall clock, whatever the offset does in between.
        Assert.All(series.Results, r => Assert.Equal(14, r.StartsAt.Hour));

        var cancelRest = await staff.PostAsJsonAsync(
            $"/api/v1/clinics/{setup.ClinicId}/appointment-series/{series.Id}/cancel",
            new { reason = "treatment finished early", from = ClinicSetup.Local(3 + 7, 0) });
        var cancelled = (await cancelRest.Content.ReadFromJsonAsync<SeriesCancelledDto>())!.Cancelled;

        Assert.Equal([series.Results[1].AppointmentId!.Value, series.Results[3].AppointmentId!.Value], cancelled);
        var read = await staff.GetFromJsonAsync<SeriesDto>($"/api/v1/clinics/{setup.ClinicId}/appointment-series/{series.Id}");
        Assert.Equal(["booked", "cancelled", "cancelled"], read!.Results.Select(r => r.Outcome));
    }

    [Fact]
    public async Task ASeriesWithNoBookableOccurrenceIs409AndLeavesNothingBehind()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var staff = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));

        var created = await staff.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointment-series", new
        {
            patientId = setup.PatientIds[0],
            practitionerId = setup.PractitionerId,
            appointmentTypeId = setup.TypeId,
            firstStartsAt = ClinicSetup.Local(3, 20),
            intervalWeeks = 2,
            occurrences = 3,
        });

        var problem = await ProblemAssert.StatusAsync(created, HttpStatusCode.Conflict);
        Assert.Equal(3, problem.GetProperty("occurrences").GetArrayLength());
        Assert.Equal(0, await api.WithDbAsync(db => db.AppointmentSeries.CountAsync(s => s.ClinicId == setup.ClinicId)));
    }

    [Fact]
    public async Task PatientsBookAndCancelTheirOwnAppointmentsButNotInsideTheWindowNorOthers()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var (patientId, client) = await PatientAccountAsync(setup, 0);
        var (_, otherClient) = await PatientAccountAsync(setup, 1);
        var url = "/api/v1/me/appointments";

        var far = await client.PostAsJsonAsync(url, new { clinicId = setup.ClinicId, practitionerId = setup.PractitionerId, appointmentTypeId = setup.TypeId, startsAt = ClinicSetup.Local(9, 9) });
        var soon = await client.PostAsJsonAsync(url, new { clinicId = setup.ClinicId, practitionerId = setup.PractitionerId, appointmentTypeId = setup.TypeId, startsAt = DateTimeOffset.UtcNow.AddHours(3) });
        Assert.Equal(HttpStatusCode.Created, far.StatusCode);
        var farAppointment = (await far.Content.ReadFromJsonAsync<AppointmentDto>())!;
        var farId = farAppointment.Id;
        Assert.Equal(patientId, farAppointment.PatientId);
        var mine = await client.GetFromJsonAsync<JsonElement>(url);
        Assert.Contains(mine.GetProperty("items").EnumerateArray(), a => a.GetProperty("id").GetGuid() == farId);

        var othersCancel = await otherClient.PostAsJsonAsync($"{url}/{farId}/cancel", new { reason = "not mine" });
        var elsewhere = await otherClient.PostAsJsonAsync(url, new { clinicId = Guid.NewGuid(), practitionerId = setup.PractitionerId, appointmentTypeId = setup.TypeId, startsAt = ClinicSetup.Local(9, 11) });
        var cancelFar = await client.PostAsJsonAsync($"{url}/{farId}/cancel", new { reason = "feeling better" });
        Assert.Equal(HttpStatusCode.NotFound, othersCancel.StatusCode);
        await ProblemAssert.FieldAsync(elsewhere, HttpStatusCode.BadRequest, "clinicId");
        Assert.Equal(HttpStatusCode.OK, cancelFar.StatusCode);

        // Within the default 24-hour window only staff may cancel.
        if (soon.StatusCode == HttpStatusCode.Created)
        {
            var soonId = (await soon.Content.ReadFromJsonAsync<AppointmentDto>())!.Id;
            await ProblemAssert.StatusAsync(await client.PostAsJsonAsync($"{url}/{soonId}/cancel", new { reason = "changed my mind" }), HttpStatusCode.Forbidden);
            var staff = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
            Assert.Equal(HttpStatusCode.OK, (await staff.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments/{soonId}/cancel", new { reason = "called the desk" })).StatusCode);
        }
        else
        {
            // Three hours from now falls outside working hours late in the New York evening.
            Assert.Equal(HttpStatusCode.Conflict, soon.StatusCode);
            var soonId = await api.WithDbAsync(async db =>
            {
                var type = await db.AppointmentTypes.SingleAsync(t => t.Id == setup.TypeId);
                var appointment = Appointment.Book(setup.ClinicId, setup.PractitionerId, patientId, type, null, DateTimeOffset.UtcNow.AddHours(3), null, DateTimeOffset.UtcNow);
                db.Appointments.Add(appointment);
                await db.SaveChangesAsync();
                return appointment.Id;
            });
            await ProblemAssert.StatusAsync(await client.PostAsJsonAsync($"{url}/{soonId}/cancel", new { reason = "changed my mind" }), HttpStatusCode.Forbidden);
        }
    }

    private async Task<(Guid PatientId, HttpClient Client)> PatientAccountAsync(ClinicSetup setup, int patient)
    {
        var account = await api.CreateUserAsync(ClinicRoles.Patient, setup.ClinicId);
        await api.WithDbAsync(db => db.Patients.Where(p => p.Id == setup.PatientIds[patient])
            .ExecuteUpdateAsync(p => p.SetProperty(x => x.UserId, account.Id)));
        return (setup.PatientIds[patient], await api.ClientForAsync(account));
    }

}
