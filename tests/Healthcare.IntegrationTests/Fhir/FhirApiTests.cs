using System.Net;
using Healthcare.Api.Features.Fhir;
using Healthcare.Core.Audit;
using Healthcare.Core.Fhir;
using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Identity;
using Healthcare.Testing;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Healthcare.IntegrationTests.Fhir;

/// <summary>
/// The FHIR R4 API over the native data: what it returns passes Firely's validator, the same clinic permissions and
/// patient compartment apply as in the native API, SMART scopes narrow them, refusals are OperationOutcomes, and every
/// read is audited per patient.
/// </summary>
public sealed class FhirApiTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async System.Threading.Tasks.Task TheCapabilityStatementDescribesExactlyTheRoutedInteractions()
    {
        var response = await api.CreateClient().GetAsync("/fhir/r4/metadata");
        var statement = Assert.IsType<CapabilityStatement>(await FhirValidation.ResourceAsync(response));

        var routed = api.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<FhirInteractionMetadata>()).OfType<FhirInteractionMetadata>()
            .Where(m => m.Interaction != FhirCapability.Operation).Select(m => $"{m.ResourceType} {m.Interaction}").Distinct().Order().ToList();
        var described = statement.Rest.Single().Resource
            .SelectMany(r => r.Interaction.Select(i => $"{r.Type} {Hl7.Fhir.Utility.EnumUtility.GetLiteral(i.Code)}")).Order().ToList();
        Assert.Equal(routed, described);
        Assert.Contains(statement.Rest[0].Resource.Single(r => r.Type == "Patient").SearchParam, p => p.Name == "birthdate");
        Assert.Contains(statement.Rest[0].Resource.Single(r => r.Type == "Patient").Operation, o => o.Name == "everything");
        Assert.Equal(FHIRVersion.N4_0_1, statement.FhirVersion);
        FhirValidation.AssertValid(statement);
    }

    [Fact]
    public async System.Threading.Tasks.Task AClinicianReadsAndSearchesTheirClinicsDataAsValidResourcesAndEachPatientTouchedIsAudited()
    {
        var clinic = await api.CreateClinicAsync();
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        var client = await api.ClientForAsync(doctor);
        var appointmentId = await api.WithDbAsync(db => MatrixResources.AppointmentAsync(db, clinic.Id));
        var appointment = await api.WithDbAsync(db => db.Appointments.AsNoTracking().SingleAsync(a => a.Id == appointmentId));
        var locationId = await api.WithDbAsync(db => MatrixResources.LocationAsync(db, clinic.Id));
        await api.WithDbAsync(db => MatrixResources.PatientAsync(db, clinic.Id));

        var patient = Assert.IsType<Patient>(await FhirValidation.ResourceAsync(await client.GetAsync($"/fhir/r4/Patient/{appointment.PatientId}")));
        var read = await client.GetAsync($"/fhir/r4/Appointment/{appointmentId}");
        var booked = Assert.IsType<Appointment>(await FhirValidation.ResourceAsync(read));
        var search = Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(
            await client.GetAsync($"/fhir/r4/Appointment?patient=Patient/{appointment.PatientId}&status=booked&date=ge2026-01-01&_include=Appointment:patient")));
        var byName = Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(await client.GetAsync("/fhir/r4/Patient?name=matrix&birthdate=1990-01-01&gender=unknown&_count=1")));
        var byIdentifier = Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(
            await client.GetAsync($"/fhir/r4/Patient?identifier={FhirMapping.RecordNumberSystem}|{appointment.PatientId}")));
        var organization = await FhirValidation.ResourceAsync(await client.GetAsync($"/fhir/r4/Organization/{clinic.Id}"));
        var practitioner = await FhirValidation.ResourceAsync(await client.GetAsync($"/fhir/r4/Practitioner/{appointment.PractitionerId}"));
        var location = await FhirValidation.ResourceAsync(await client.GetAsync($"/fhir/r4/Location/{locationId}"));

        Assert.Equal(FhirResponses.MediaType, read.Content.Headers.ContentType?.MediaType);
        Assert.True(read.Headers.CacheControl?.NoStore, "FHIR answers hold patient data: no cache may keep them");
        Assert.Equal($"W/\"{booked.Meta?.VersionId}\"", read.Headers.ETag?.ToString());
        Assert.Equal(Appointment.AppointmentStatus.Booked, booked.Status);
        Assert.Contains(booked.Participant, p => p.Actor?.Reference == $"Patient/{patient.Id}");
        Assert.Equal([appointmentId.ToString()], search.Entry.Where(e => e.Search?.Mode == Bundle.SearchEntryMode.Match).Select(e => e.Resource?.Id));
        Assert.Equal([patient.Id], search.Entry.Where(e => e.Search?.Mode == Bundle.SearchEntryMode.Include).Select(e => e.Resource?.Id));
        Assert.Single(byName.Entry);
        Assert.Equal([patient.Id], byIdentifier.Entry.Select(e => e.Resource?.Id));
        Assert.Contains(byName.Link, l => l.Relation == "next" && l.Url?.Contains("_cursor=", StringComparison.Ordinal) == true);
        foreach (var resource in new Resource[] { patient, booked, search, byName, organization, practitioner, location })
        {
            FhirValidation.AssertValid(resource);
        }

        var audited = await api.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.PatientId == appointment.PatientId && e.UserId == doctor.Id).Select(e => e.ResourceType).ToListAsync());
        Assert.Contains("FhirPatient", audited);
        Assert.Contains("FhirAppointment", audited);
        Assert.Contains("Appointment", audited);
    }

    [Fact]
    public async System.Threading.Tasks.Task AnotherClinicsStaffAndAnotherPatientFindNothingAndEveryRefusalIsAnOperationOutcome()
    {
        var clinic = await api.CreateClinicAsync();
        var otherClinic = await api.CreateClinicAsync();
        var appointmentId = await api.WithDbAsync(db => MatrixResources.AppointmentAsync(db, clinic.Id));
        var patientId = await api.WithDbAsync(db => db.Appointments.Where(a => a.Id == appointmentId).Select(a => a.PatientId).SingleAsync());
        var outsider = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, otherClinic.Id));
        var ownerAccount = await api.CreateUserAsync(ClinicRoles.Patient, clinic.Id);
        var otherPatient = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Patient, clinic.Id));
        await api.WithDbAsync(db => db.Patients.Where(p => p.Id == patientId).ExecuteUpdateAsync(p => p.SetProperty(x => x.UserId, ownerAccount.Id)));
        var owner = await api.ClientForAsync(ownerAccount);

        foreach (var (caller, client) in new[] { ("another clinic's admin", outsider), ("another patient", otherPatient) })
        {
            foreach (var path in new[] { $"/fhir/r4/Patient/{patientId}", $"/fhir/r4/Appointment/{appointmentId}", $"/fhir/r4/Organization/{clinic.Id}" })
            {
                await FhirValidation.AssertOutcomeAsync(await client.GetAsync(path), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
            }

            var search = Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(await client.GetAsync($"/fhir/r4/Appointment?patient={patientId}")));
            Assert.True(search.Entry.Count == 0, caller);
        }

        Assert.IsType<Patient>(await FhirValidation.ResourceAsync(await owner.GetAsync($"/fhir/r4/Patient/{patientId}")));
        var mine = Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(await owner.GetAsync("/fhir/r4/Appointment")));
        Assert.Equal([appointmentId.ToString()], mine.Entry.Select(e => e.Resource?.Id));
        await FhirValidation.AssertOutcomeAsync(await api.CreateClient().GetAsync($"/fhir/r4/Patient/{patientId}"), HttpStatusCode.Unauthorized, OperationOutcome.IssueType.Login);
        await FhirValidation.AssertOutcomeAsync(await owner.GetAsync("/fhir/r4/Patient?favourite-colour=blue"), HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
        await FhirValidation.AssertOutcomeAsync(await owner.GetAsync("/fhir/r4/Patient?_count=zero"), HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
        await FhirValidation.AssertOutcomeAsync(await owner.GetAsync("/fhir/r4/Nonsense/1"), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        using var lenient = new HttpRequestMessage(HttpMethod.Get, "/fhir/r4/Patient?favourite-colour=blue");
        lenient.Headers.Add("Prefer", "handling=lenient");
        Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(await owner.SendAsync(lenient)));
    }

    [Fact]
    public async System.Threading.Tasks.Task EverythingGivesThePatientsWholeRecordAsFarAsTheCallersPermissionsReach()
    {
        var clinic = await api.CreateClinicAsync();
        var appointmentId = await api.WithDbAsync(db => MatrixResources.AppointmentAsync(db, clinic.Id));
        var patientId = await api.WithDbAsync(db => db.Appointments.Where(a => a.Id == appointmentId).Select(a => a.PatientId).SingleAsync());
        var values = new Dictionary<string, Guid> { ["patientId"] = patientId };
        await api.WithDbAsync(db => MatrixResources.Factories["allergies"](db, clinic.Id, values));
        await api.WithDbAsync(db => MatrixResources.Factories["problems"](db, clinic.Id, values));
        var doctor = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id));
        var receptionist = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, clinic.Id));
        var outsider = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, (await api.CreateClinicAsync()).Id));

        var everything = Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(await doctor.GetAsync($"/fhir/r4/Patient/{patientId}/$everything")));
        var frontDesk = Assert.IsType<Bundle>(await FhirValidation.ResourceAsync(await receptionist.GetAsync($"/fhir/r4/Patient/{patientId}/$everything")));

        Assert.Equal(["Patient", "Appointment", "AllergyIntolerance", "Condition"], everything.Entry.Select(e => e.Resource?.TypeName));
        Assert.Equal(["Patient", "Appointment"], frontDesk.Entry.Select(e => e.Resource?.TypeName));
        await FhirValidation.AssertOutcomeAsync(await outsider.GetAsync($"/fhir/r4/Patient/{patientId}/$everything"), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        FhirValidation.AssertValid(everything);
        Assert.Contains(await api.WithDbAsync(db => db.AuditEvents.Where(e => e.PatientId == patientId).Select(e => e.ResourceType).ToListAsync()),
            t => t == "FhirPatientEverything");
    }

    [Fact]
    public async System.Threading.Tasks.Task SmartScopesNarrowWhatTheRolesAllow()
    {
        var clinic = await api.CreateClinicAsync();
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        var appointmentId = await api.WithDbAsync(db => MatrixResources.AppointmentAsync(db, clinic.Id));
        var patientId = await api.WithDbAsync(db => db.Appointments.Where(a => a.Id == appointmentId).Select(a => a.PatientId).SingleAsync());
        var appointmentsOnly = await FhirTokens.ScopedClientAsync(api, doctor, "user/Appointment.rs");
        var ownCompartment = await FhirTokens.ScopedClientAsync(api, doctor, "patient/*.rs");
        var everything = await FhirTokens.ScopedClientAsync(api, doctor, "user/*.cruds");

        Assert.IsType<Appointment>(await FhirValidation.ResourceAsync(await appointmentsOnly.GetAsync($"/fhir/r4/Appointment/{appointmentId}")));
        await FhirValidation.AssertOutcomeAsync(await appointmentsOnly.GetAsync($"/fhir/r4/Patient/{patientId}"), HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden);
        await FhirValidation.AssertOutcomeAsync(await ownCompartment.GetAsync($"/fhir/r4/Patient/{patientId}"), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        Assert.IsType<Patient>(await FhirValidation.ResourceAsync(await everything.GetAsync($"/fhir/r4/Patient/{patientId}")));
        Assert.False(SmartScopes.Parse("user/Patient.sr patient/.rs launch").Allows("Patient", 'r', out _));
        Assert.True(SmartScopes.Parse("patient/Observation.read").Allows("Observation", 's', out var patientOnly) && patientOnly);
    }
}
