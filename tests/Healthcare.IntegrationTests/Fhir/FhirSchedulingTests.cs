using System.Net;
using System.Text;
using Healthcare.Api.Features.Fhir;
using Healthcare.Core.Audit;
using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Scheduling;
using Healthcare.Testing;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Healthcare.IntegrationTests.Fhir;

/// <summary>
/// Scheduling through FHIR: a practitioner's Schedule, its free Slots from the native availability, booking one with
/// POST Appointment (the native booking's rules and Idempotency-Key) and cancelling with PUT under If-Match.
/// </summary>
public sealed class FhirSchedulingTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async System.Threading.Tasks.Task AFreeSlotIsBookedOnceThroughFhirAndCancelledUnderIfMatch()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var receptionist = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
        var day = Day(7);
        var slotsUrl = $"/fhir/r4/Slot?schedule=Schedule/{setup.PractitionerId}&start=ge{day:yyyy-MM-dd}&start=lt{day.AddDays(1):yyyy-MM-dd}";

        var schedule = Assert.IsType<Schedule>(await FhirValidation.ResourceAsync(await receptionist.GetAsync($"/fhir/r4/Schedule/{setup.PractitionerId}")));
        var schedules = Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(await receptionist.GetAsync($"/fhir/r4/Schedule?actor=Practitioner/{setup.PractitionerId}")));
        var search = Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(await receptionist.GetAsync(slotsUrl)));
        var again = Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(await receptionist.GetAsync(slotsUrl)));
        var slots = search.Entry.Select(e => Assert.IsType<Slot>(e.Resource)).ToList();

        Assert.Equal($"Practitioner/{setup.PractitionerId}", schedule.Actor.Single().Reference);
        Assert.Equal([schedule.Id], schedules.Entry.Select(e => e.Resource?.Id));
        Assert.NotEmpty(slots);
        Assert.All(slots, s => Assert.Equal(Slot.SlotStatus.Free, s.Status));
        Assert.All(slots, s => Assert.Equal(day, DateOnly.FromDateTime(ClinicLocal(s.Start!.Value))));
        Assert.All(slots, s => Assert.True(s.Id!.Length <= 64 && s.Id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.'), s.Id));
        Assert.Equal(slots.Select(s => s.Id), again.Entry.Select(e => e.Resource?.Id));
        foreach (var resource in new Resource[] { schedule, schedules, search })
        {
            FhirValidation.AssertValid(resource);
        }

        var slot = slots[2];
        var code = slot.AppointmentType!.Coding.Single();
        Assert.Equal((SlotResources.AppointmentTypeSystem, setup.TypeId.ToString()), (code.System, code.Code));
        var key = Guid.NewGuid().ToString();
        var created = await receptionist.SendAsync(Post(Booking(setup, slot, 0), key));
        var replayed = await receptionist.SendAsync(Post(Booking(setup, slot, 0), key));
        var taken = await receptionist.SendAsync(Post(Booking(setup, slot, 1), Guid.NewGuid().ToString()));

        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"{(int)created.StatusCode}: {body}");
        var booked = Assert.IsType<Appointment>(FhirValidation.Parse(body));
        FhirValidation.AssertValid(booked);
        Assert.Equal($"/fhir/r4/Appointment/{booked.Id}", created.Headers.Location?.ToString());
        Assert.Equal(Appointment.AppointmentStatus.Booked, booked.Status);
        Assert.Equal(slot.Start, booked.Start);
        Assert.Contains(booked.Participant, p => p.Actor?.Reference == $"Patient/{setup.PatientIds[0]}");
        Assert.Contains(booked.ServiceType.SelectMany(t => t.Coding), c => c.System == SlotResources.AppointmentTypeSystem && c.Code == setup.TypeId.ToString());
        Assert.Equal(HttpStatusCode.Created, replayed.StatusCode);
        Assert.Equal("true", replayed.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(body, await replayed.Content.ReadAsStringAsync());
        await FhirValidation.AssertOutcomeAsync(taken, HttpStatusCode.Conflict, OperationOutcome.IssueType.Conflict);
        var after = Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(await receptionist.GetAsync(slotsUrl)));
        Assert.DoesNotContain(after.Entry, e => e.Resource?.Id == slot.Id);
        Assert.Equal(1, await api.WithDbAsync(db => db.Appointments.CountAsync(a => a.PractitionerId == setup.PractitionerId)));
        var audited = await api.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.ResourceId == booked.Id && e.Action == AuditActions.Create).Select(e => e.ResourceType).ToListAsync());
        Assert.Equal(["FhirAppointment"], audited);

        var etag = created.Headers.ETag!.ToString();
        var cancel = Cancelled(booked);
        await FhirValidation.AssertOutcomeAsync(await receptionist.SendAsync(Put(booked.Id!, cancel, null)), HttpStatusCode.PreconditionRequired, OperationOutcome.IssueType.Invalid);
        var moved = Cancelled(booked);
        moved.Status = Appointment.AppointmentStatus.Booked;
        moved.Start = booked.Start!.Value.AddHours(1);
        await FhirValidation.AssertOutcomeAsync(await receptionist.SendAsync(Put(booked.Id!, moved, etag)), HttpStatusCode.UnprocessableEntity, OperationOutcome.IssueType.Processing);
        var cancelled = await receptionist.SendAsync(Put(booked.Id!, cancel, etag));
        var stale = await receptionist.SendAsync(Put(booked.Id!, cancel, etag));

        var result = Assert.IsType<Appointment>(await FhirValidation.ResourceAsync(cancelled));
        FhirValidation.AssertValid(result);
        Assert.Equal(Appointment.AppointmentStatus.Cancelled, result.Status);
        Assert.Equal("The patient is travelling", result.CancelationReason?.Text);
        Assert.NotEqual(etag, cancelled.Headers.ETag?.ToString());
        await FhirValidation.AssertOutcomeAsync(stale, HttpStatusCode.PreconditionFailed, OperationOutcome.IssueType.Conflict);
        var freed = Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(await receptionist.GetAsync(slotsUrl)));
        Assert.Contains(freed.Entry, e => e.Resource?.Id == slot.Id);
        FhirValidation.AssertValid(freed);

        // Another clinic's doctor finds neither the schedule, its slots nor the appointment.
        var other = await api.CreateClinicAsync();
        var outsider = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Doctor, other.Id));
        await FhirValidation.AssertOutcomeAsync(await outsider.GetAsync($"/fhir/r4/Schedule/{setup.PractitionerId}"), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        Assert.Empty(Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(await outsider.GetAsync(slotsUrl))).Entry);
        Assert.Empty(Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(await outsider.GetAsync($"/fhir/r4/Schedule?actor={setup.PractitionerId}"))).Entry);
        await FhirValidation.AssertOutcomeAsync(await outsider.SendAsync(Post(Booking(setup, slot, 2), null)), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        await FhirValidation.AssertOutcomeAsync(await outsider.SendAsync(Put(booked.Id!, cancel, cancelled.Headers.ETag!.ToString())), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
    }

    [Fact]
    public async System.Threading.Tasks.Task ABadSearchOrBodyIsRefusedWithAnOperationOutcome()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var receptionist = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
        var day = Day(3);
        var schedule = $"schedule=Schedule/{setup.PractitionerId}";

        var tooLong = await receptionist.GetAsync($"/fhir/r4/Slot?{schedule}&start=ge{day:yyyy-MM-dd}&start=lt{day.AddDays(40):yyyy-MM-dd}");
        var noSchedule = await receptionist.GetAsync($"/fhir/r4/Slot?start=ge{day:yyyy-MM-dd}");
        var byType = Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(await receptionist.GetAsync(
            $"/fhir/r4/Slot?{schedule}&start=ge{day:yyyy-MM-dd}&start=lt{day.AddDays(2):yyyy-MM-dd}&appointment-type={SlotResources.AppointmentTypeSystem}|{setup.TypeId}&_count=5")));
        using var notJson = new HttpRequestMessage(HttpMethod.Post, "/fhir/r4/Appointment")
        {
            Content = new StringContent("{\"resourceType\":\"Appointment\",\"status\":42}", Encoding.UTF8, FhirResponses.MediaType),
        };

        Assert.Equal("start", (await FhirValidation.AssertOutcomeAsync(tooLong, HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid)).Issue[0].Expression.Single());
        Assert.Equal("schedule", (await FhirValidation.AssertOutcomeAsync(noSchedule, HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid)).Issue[0].Expression.Single());
        Assert.InRange(byType.Entry.Count, 5, 6);
        var next = byType.Link.Single(l => l.Relation == "next").Url!;
        var second = Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(await receptionist.GetAsync(new Uri(next).PathAndQuery)));
        Assert.True(Assert.IsType<Slot>(second.Entry[0].Resource).Start > Assert.IsType<Slot>(byType.Entry[^1].Resource).Start);
        FhirValidation.AssertValid(byType);
        FhirValidation.AssertValid(second);
        Assert.Equal(HttpStatusCode.BadRequest, (await receptionist.SendAsync(notJson)).StatusCode);
        var slot = Assert.IsType<Slot>(byType.Entry[0].Resource);
        var wrongEnd = Booking(setup, slot, 0);
        wrongEnd.End = slot.End!.Value.AddMinutes(15);
        var withoutScope = await FhirTokens.ScopedClientAsync(api, await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId), "user/Appointment.rs user/Slot.s");
        Assert.Equal("Appointment.end", (await FhirValidation.AssertOutcomeAsync(await receptionist.SendAsync(Post(wrongEnd, null)), HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid)).Issue[0].Expression.Single());
        await FhirValidation.AssertOutcomeAsync(await withoutScope.SendAsync(Post(Booking(setup, slot, 0), null)), HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden);
        Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(await withoutScope.GetAsync($"/fhir/r4/Slot?{schedule}")));
    }

    [Fact]
    public async System.Threading.Tasks.Task APatientBooksAndCancelsTheirOwnVisitButNoOneElses()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var account = await api.CreateUserAsync(ClinicRoles.Patient, setup.ClinicId);
        await api.WithDbAsync(db => db.Patients.Where(p => p.Id == setup.PatientIds[0]).ExecuteUpdateAsync(p => p.SetProperty(x => x.UserId, account.Id)));
        var patient = await api.ClientForAsync(account);
        var day = Day(9);
        var search = Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(await patient.GetAsync(
            $"/fhir/r4/Slot?schedule={setup.PractitionerId}&start=ge{day:yyyy-MM-dd}&start=lt{day.AddDays(1):yyyy-MM-dd}&status=free")));
        var slot = Assert.IsType<Slot>(search.Entry[0].Resource);

        var someoneElse = await patient.SendAsync(Post(Booking(setup, slot, 1), null));
        var created = await patient.SendAsync(Post(Booking(setup, slot, 0), null));

        await FhirValidation.AssertOutcomeAsync(someoneElse, HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"{(int)created.StatusCode}: {body}");
        var booked = Assert.IsType<Appointment>(FhirValidation.Parse(body));
        var cancelled = await patient.SendAsync(Put(booked.Id!, Cancelled(booked), created.Headers.ETag!.ToString()));
        Assert.Equal(Appointment.AppointmentStatus.Cancelled, Assert.IsType<Appointment>(await FhirValidation.ResourceAsync(cancelled)).Status);
        FhirValidation.AssertValid(search);
    }

    private static DateOnly Day(int days) => SystemClock.Instance.GetCurrentInstant().InZone(ClinicSetup.NewYork).Date.PlusDays(days).ToDateOnly();

    private static DateTime ClinicLocal(DateTimeOffset at) => NodaTime.Instant.FromDateTimeOffset(at).InZone(ClinicSetup.NewYork).LocalDateTime.ToDateTimeUnspecified();

    private static Appointment Booking(ClinicSetup setup, Slot slot, int patient) => new()
    {
        Status = Appointment.AppointmentStatus.Booked,
        Start = slot.Start,
        End = slot.End,
        AppointmentType = new CodeableConcept(SlotResources.AppointmentTypeSystem, setup.TypeId.ToString()),
        Participant =
        [
            new Appointment.ParticipantComponent { Actor = new ResourceReference($"Patient/{setup.PatientIds[patient]}"), Status = ParticipationStatus.Accepted },
            new Appointment.ParticipantComponent { Actor = new ResourceReference($"Practitioner/{setup.PractitionerId}"), Status = ParticipationStatus.Accepted },
        ],
    };

    private static Appointment Cancelled(Appointment booked)
    {
        var copy = (Appointment)booked.DeepCopy();
        copy.Status = Appointment.AppointmentStatus.Cancelled;
        copy.CancelationReason = new CodeableConcept { Text = "The patient is travelling" };
        return copy;
    }

    private static HttpRequestMessage Post(Appointment appointment, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/fhir/r4/Appointment") { Content = Json(appointment) };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return request;
    }

    private static HttpRequestMessage Put(string id, Appointment appointment, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/fhir/r4/Appointment/{id}") { Content = Json(appointment) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    private static StringContent Json(Resource resource) =>
        new(new FhirJsonSerializer().SerializeToString(resource), Encoding.UTF8, FhirResponses.MediaType);
}
