using System.Net;
using System.Net.Http.Json;
using Healthcare.Api.Features.Fhir;
using Healthcare.Core.Identity;
using Healthcare.Core.Records;
using Healthcare.IntegrationTests.Identity;
using Healthcare.Testing;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Healthcare.IntegrationTests.Fhir;

/// <summary>
/// The authorization sweep over the FHIR API: every resource type the API reads, as every role of the clinic that
/// holds it, a platform administrator, another clinic's administrator, a patient of another clinic, another patient
/// of the same clinic, the patient the data is about, and SMART backend services of the clinic and of another
/// clinic. What a caller may not reach is not found (404) and never appears in a search.
/// </summary>
public sealed class FhirAuthorizationSweepTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    // The native permission that guards each type's data; a type without an entry fails the sweep until it gets one.
    private static readonly Dictionary<string, string> PermissionOf = new()
    {
        ["Patient"] = Permissions.PatientsRead,
        ["Appointment"] = Permissions.AppointmentsRead,
        ["Organization"] = Permissions.ClinicRead,
        ["Location"] = Permissions.ClinicRead,
        ["Practitioner"] = Permissions.ClinicRead,
        ["Schedule"] = Permissions.ClinicRead,
        ["PractitionerRole"] = Permissions.ClinicRead,
        ["Encounter"] = Permissions.RecordsRead,
        ["Observation"] = Permissions.RecordsRead,
        ["AllergyIntolerance"] = Permissions.RecordsRead,
        ["Condition"] = Permissions.RecordsRead,
        ["MedicationStatement"] = Permissions.RecordsRead,
        ["DocumentReference"] = Permissions.RecordsRead,
        ["AuditEvent"] = Permissions.AuditRead,
    };

    // The clinic's directory, which the patients it treats may read too.
    private static readonly HashSet<string> Directory = ["Organization", "Location", "Practitioner", "PractitionerRole", "Schedule"];

    [Fact]
    public async System.Threading.Tasks.Task EveryFhirResourceAnswersEachCallerAsTheNativePermissionsAndThePatientCompartmentSay()
    {
        var clinic = await api.CreateClinicAsync();
        var otherClinic = await api.CreateClinicAsync();
        var (patientId, ids) = await RecordsAsync(clinic.Id);
        var owner = await api.CreateUserAsync(ClinicRoles.Patient, clinic.Id);
        await LinkAsync(patientId, owner.Id);
        var callers = new List<(string Name, HttpClient Client, Func<string, bool> Reaches)>();
        foreach (var role in ClinicRoles.All.Where(r => r != ClinicRoles.Patient))
        {
            var client = await api.ClientForAsync(await api.CreateUserAsync(role, clinic.Id));
            callers.Add((role, client, type => Permissions.Grants(role, PermissionOf[type])));
        }

        callers.Add(("super admin", await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.SuperAdmin)), _ => true));
        callers.Add(("another clinic's admin", await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, otherClinic.Id)), _ => false));
        callers.Add(("a patient of another clinic", await PatientClientAsync(otherClinic.Id), _ => false));
        callers.Add(("another patient of the clinic", await PatientClientAsync(clinic.Id), Directory.Contains));
        callers.Add(("the patient", await api.ClientForAsync(owner), type => type != "AuditEvent"));
        callers.Add(("a backend service of the clinic", await BackendServiceAsync(clinic.Id), type => type != "AuditEvent"));
        callers.Add(("a backend service of another clinic", await BackendServiceAsync(otherClinic.Id), _ => false));

        var routes = api.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Select(e => e.Metadata.GetMetadata<FhirInteractionMetadata>()).OfType<FhirInteractionMetadata>().ToList();
        var reads = routes.Where(r => r.Interaction == "read").Select(r => r.ResourceType).Distinct().ToList();
        Assert.Contains("Patient", reads);
        var failures = new List<string>();
        foreach (var type in reads)
        {
            if (!PermissionOf.ContainsKey(type) || !ids.TryGetValue(type, out var id))
            {
                failures.Add($"{type}: the sweep has no permission or test resource for it");
                continue;
            }

            foreach (var (name, client, reaches) in callers)
            {
                var status = (await client.GetAsync($"/fhir/r4/{type}/{id}")).StatusCode;
                var expected = reaches(type) ? HttpStatusCode.OK : HttpStatusCode.NotFound;
                if (status != expected)
                {
                    failures.Add($"GET {type}/{{id}} as {name}: expected {(int)expected}, got {(int)status}");
                }
            }
        }

        foreach (var type in routes.Where(r => r.Interaction == "search-type" && r.SearchParameters.Contains("patient")).Select(r => r.ResourceType).Distinct())
        {
            foreach (var (name, client, reaches) in callers)
            {
                var response = await client.GetAsync($"/fhir/r4/{type}?patient={patientId}");
                var found = response.StatusCode == HttpStatusCode.OK
                    ? ((Bundle)FhirValidation.Parse(await response.Content.ReadAsStringAsync())).Entry.Count
                    : -1;
                var ok = reaches(type) ? found > 0 : found == 0;
                if (!ok)
                {
                    failures.Add($"GET {type}?patient= as {name}: {(int)response.StatusCode} with {found} entries");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    /// <summary>A patient with one record of every kind in the clinic, and the id of a resource of every type.</summary>
    private async Task<(Guid PatientId, Dictionary<string, string> Ids)> RecordsAsync(Guid clinicId)
    {
        var appointmentId = await api.WithDbAsync(db => MatrixResources.AppointmentAsync(db, clinicId));
        var appointment = await api.WithDbAsync(db => db.Appointments.AsNoTracking().SingleAsync(a => a.Id == appointmentId));
        var values = new Dictionary<string, Guid> { ["patientId"] = appointment.PatientId };
        foreach (var kind in new[] { "encounters", "notes", "allergies", "medications", "problems" })
        {
            await api.WithDbAsync(db => MatrixResources.Factories[kind](db, clinicId, values));
        }

        await api.WithDbAsync(async db =>
        {
            // Released to the patient, so that the patient's own reach covers the note too.
            var note = await db.ClinicalNotes.SingleAsync(n => n.PatientId == appointment.PatientId);
            note.Release(note.AuthorUserId, DateTimeOffset.UtcNow);
            db.VitalSigns.Add(new VitalSign
            {
                ClinicId = clinicId,
                PatientId = appointment.PatientId,
                Kind = VitalKinds.HeartRate.Name,
                Value = 72,
                Unit = VitalKinds.HeartRate.Unit,
                MeasuredAt = DateTimeOffset.UtcNow.AddHours(-1),
                RecordedByUserId = await db.Encounters.Where(e => e.PatientId == appointment.PatientId).Select(e => e.ClinicianUserId).FirstAsync(),
            });
            return await db.SaveChangesAsync();
        });

        var ids = new Dictionary<string, string>
        {
            ["Patient"] = appointment.PatientId.ToString(),
            ["Appointment"] = appointmentId.ToString(),
            ["Organization"] = clinicId.ToString(),
            ["Location"] = (await api.WithDbAsync(db => MatrixResources.LocationAsync(db, clinicId))).ToString(),
            ["Practitioner"] = appointment.PractitionerId.ToString(),
            ["Schedule"] = appointment.PractitionerId.ToString(),
            ["PractitionerRole"] = appointment.PractitionerId.ToString(),
        };

        // The clinical resources' ids are the API's to choose: ask it, as a platform administrator.
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.SuperAdmin));
        foreach (var type in new[] { "Encounter", "Observation", "AllergyIntolerance", "Condition", "MedicationStatement", "DocumentReference" })
        {
            var response = await admin.GetAsync($"/fhir/r4/{type}?patient={appointment.PatientId}");
            if (response.StatusCode == HttpStatusCode.OK &&
                ((Bundle)FhirValidation.Parse(await response.Content.ReadAsStringAsync())).Entry.FirstOrDefault()?.Resource?.Id is { } id)
            {
                ids[type] = id;
            }
        }

        // Those searches left rows in the clinic's audit trail (one per patient they returned).
        var auditRow = await api.WithDbAsync(db => db.AuditEvents.Where(e => e.ClinicId == clinicId).MaxAsync(e => (long?)e.Id));
        if (auditRow is { } row)
        {
            ids["AuditEvent"] = row.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return (appointment.PatientId, ids);
    }

    /// <summary>A SMART backend service registered by the clinic, holding a <c>system/*.rs</c> token.</summary>
    private async Task<HttpClient> BackendServiceAsync(Guid clinicId)
    {
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinicId));
        using var key = Apps.BackendServiceKey.Es384();
        var app = await Apps.AppRequests.RegisterBackendAsync(admin, clinicId, key);
        var answer = await api.CreateClient().PostAsync("/connect/token",
            Apps.BackendServiceKey.TokenRequest(key.Assertion(app.ClientId, "http://localhost/connect/token"), "system/*.rs"));
        var token = await answer.Content.ReadFromJsonAsync<Apps.TokenAnswer>();
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token!.AccessToken);
        return client;
    }

    private async Task<HttpClient> PatientClientAsync(Guid clinicId)
    {
        var account = await api.CreateUserAsync(ClinicRoles.Patient, clinicId);
        await LinkAsync(await api.WithDbAsync(db => MatrixResources.PatientAsync(db, clinicId)), account.Id);
        return await api.ClientForAsync(account);
    }

    private Task<int> LinkAsync(Guid patientId, Guid userId) =>
        api.WithDbAsync(db => db.Patients.Where(p => p.Id == patientId).ExecuteUpdateAsync(p => p.SetProperty(x => x.UserId, userId)));
}
