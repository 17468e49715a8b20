using System.Net;
using Healthcare.Core.Identity;
using Healthcare.Core.Records;
using Healthcare.IntegrationTests.Identity;
using Healthcare.IntegrationTests.Scheduling;
using Healthcare.Testing;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Extensions;

namespace Healthcare.IntegrationTests.Fhir;

/// <summary>
/// A FHIR client the project did not write, Firely's <see cref="FhirClient"/>, works against the API as against any
/// R4 server: it checks the server's FHIR version from the CapabilityStatement, searches, follows paging links,
/// resolves includes, reads, and gets the refusals as <see cref="FhirOperationException"/>s carrying the outcome.
/// </summary>
public sealed class FhirClientTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async System.Threading.Tasks.Task FirelysClientSearchesPagesReadsAndIsRefusedLikeOnAnyFhirServer()
    {
        var clinic = await api.CreateClinicAsync();
        var otherClinic = await api.CreateClinicAsync();
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        var appointmentIds = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            appointmentIds.Add(await api.WithDbAsync(db => MatrixResources.AppointmentAsync(db, clinic.Id)));
        }

        var foreignPatient = await api.WithDbAsync(db => MatrixResources.PatientAsync(db, otherClinic.Id));
        var firstPatient = await api.WithDbAsync(db => db.Appointments.Where(a => a.Id == appointmentIds[0]).Select(a => a.PatientId).SingleAsync());
        using var client = Client(await api.ClientForAsync(doctor));
        using var narrowed = Client(await FhirTokens.ScopedClientAsync(api, doctor, "user/Appointment.rs"));

        var capabilities = await client.CapabilityStatementAsync();
        var patients = await client.SearchAsync<Patient>(["name=matrix", "birthdate=1990-01-01"], pageSize: 2);
        var nextPage = await client.ContinueAsync(patients!);
        var patient = await client.ReadAsync<Patient>($"Patient/{firstPatient}");
        var appointments = await client.SearchAsync<Appointment>(
            new SearchParams().Where($"patient=Patient/{firstPatient}").Include("Appointment:patient"));
        var foreign = await Assert.ThrowsAsync<FhirOperationException>(() => client.ReadAsync<Patient>($"Patient/{foreignPatient}"));
        var unscoped = await Assert.ThrowsAsync<FhirOperationException>(() => narrowed.ReadAsync<Patient>($"Patient/{firstPatient}"));
        var scoped = await narrowed.ReadAsync<Appointment>($"Appointment/{appointmentIds[0]}");

        Assert.Equal(FHIRVersion.N4_0_1, capabilities!.FhirVersion);
        Assert.Equal(2, patients!.Entry.Count);
        Assert.Single(nextPage!.Entry);
        Assert.Equal(firstPatient.ToString(), patient!.Id);
        Assert.Equal([appointmentIds[0].ToString(), firstPatient.ToString()], appointments!.Entry.Select(e => e.Resource?.Id));
        Assert.Equal(HttpStatusCode.NotFound, foreign.Status);
        Assert.Equal(OperationOutcome.IssueType.NotFound, foreign.Outcome?.Issue.Single().Code);
        Assert.Equal(HttpStatusCode.Forbidden, unscoped.Status);
        Assert.Equal(appointmentIds[0].ToString(), scoped!.Id);
        foreach (var resource in new Resource[] { capabilities, patients, nextPage, patient, appointments, scoped })
        {
            FhirValidation.AssertValid(resource);
        }
    }

    [Fact]
    public async System.Threading.Tasks.Task FirelysClientBooksAFreeSlotAndReadsVitalsAllergiesAndEverything()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var patientId = setup.PatientIds[0];
        var values = new Dictionary<string, Guid> { ["patientId"] = patientId };
        await api.WithDbAsync(db => MatrixResources.Factories["allergies"](db, setup.ClinicId, values));
        await api.WithDbAsync(async db =>
        {
            db.VitalSigns.Add(new VitalSign
            {
                ClinicId = setup.ClinicId,
                PatientId = patientId,
                Kind = VitalKinds.BloodPressure.Name,
                Value = 120,
                SecondaryValue = 80,
                Unit = VitalKinds.BloodPressure.Unit,
                MeasuredAt = DateTimeOffset.UtcNow.AddHours(-2),
                RecordedByUserId = await db.Allergies.Where(a => a.PatientId == patientId).Select(a => a.RecordedByUserId).FirstAsync(),
            });
            return await db.SaveChangesAsync();
        });
        using var client = Client(await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Doctor, setup.ClinicId)));
        var day = SystemClock.Instance.GetCurrentInstant().InZone(ClinicSetup.NewYork).Date.PlusDays(7).ToDateOnly();

        var slots = await client.SearchAsync<Slot>(
            [$"schedule=Schedule/{setup.PractitionerId}", $"start=ge{day:yyyy-MM-dd}", $"start=lt{day.AddDays(1):yyyy-MM-dd}"]);
        var slot = (Slot)slots!.Entry[0].Resource!;
        var booked = await client.CreateAsync(new Appointment
        {
            Status = Appointment.AppointmentStatus.Booked,
            Start = slot.Start,
            End = slot.End,
            AppointmentType = slot.AppointmentType,
            Participant =
            [
                new Appointment.ParticipantComponent { Actor = new ResourceReference($"Patient/{patientId}"), Status = ParticipationStatus.Accepted },
                new Appointment.ParticipantComponent { Actor = new ResourceReference($"Practitioner/{setup.PractitionerId}"), Status = ParticipationStatus.Accepted },
            ],
        });
        var vitals = await client.SearchAsync<Observation>([$"patient=Patient/{patientId}", "category=vital-signs"]);
        var allergies = await client.SearchAsync<AllergyIntolerance>([$"patient={patientId}"]);
        var everything = await client.InstanceOperationAsync(new Uri($"Patient/{patientId}", UriKind.Relative), "everything", useGet: true);

        Assert.Equal(Appointment.AppointmentStatus.Booked, booked!.Status);
        Assert.Equal(slot.Start, booked.Start);
        var pressure = Assert.IsType<Observation>(Assert.Single(vitals!.Entry).Resource);
        Assert.Equal(["8480-6", "8462-4"], pressure.Component.Select(c => c.Code.Coding[0].Code));
        Assert.Single(allergies!.Entry);
        var bundle = Assert.IsType<Bundle>(everything);
        Assert.Contains(bundle.Entry, e => e.Resource?.Id == booked.Id);
        Assert.Contains(bundle.Entry, e => e.Resource is Observation);
        Assert.Contains(bundle.Entry, e => e.Resource is AllergyIntolerance);
        foreach (var resource in new Resource[] { slots, booked, vitals, allergies, bundle })
        {
            FhirValidation.AssertValid(resource);
        }

        FhirValidation.AssertValid(pressure, "http://hl7.org/fhir/StructureDefinition/bp");
    }

    private static FhirClient Client(HttpClient http) =>
        new(new Uri(http.BaseAddress!, "/fhir/r4").ToString(), http, new FhirClientSettings { PreferredFormat = ResourceFormat.Json, VerifyFhirVersion = true });
}
