using System.Net;
using Healthcare.Core.Fhir;
using Healthcare.Core.Identity;
using Healthcare.Testing;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using static Healthcare.IntegrationTests.Fhir.BulkExportRequests;
using Task = System.Threading.Tasks.Task;

namespace Healthcare.IntegrationTests.Fhir;

/// <summary>
/// Who may export what: the kick-off's refusals as OperationOutcomes, each type under its own permission and SMART
/// scope, another clinic's Group not found, patients refused, one unfinished export per requester, and an export that
/// only its requester (same subject and client) may poll, download or cancel.
/// </summary>
public sealed class BulkExportAccessTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task AKickOffWithoutRespondAsyncOrWithAParameterItCannotHonourIsRefused()
    {
        var clinic = await api.CreateClinicAsync();
        var client = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id));
        var group = $"/fhir/r4/Group/{clinic.Id}/$export";

        await FhirValidation.AssertOutcomeAsync(await KickOffAsync(client, group, prefer: null), HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
        await FhirValidation.AssertOutcomeAsync(await KickOffAsync(client, group, prefer: "handling=lenient"), HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
        foreach (var (query, parameter) in new[]
        {
            ("_type=Patient,Spaceship", "_type"), ("_type=AuditEvent", "_type"), ("_since=yesterday", "_since"), ("_since=2026-01-01", "_since"),
            ("_since=2026-01-01T00:00:00", "_since"), ("_outputFormat=text%2Fcsv", "_outputFormat"), ("_typeFilter=Patient%3Fgender%3Dfemale", "_typeFilter"),
            ("_elements=id", "_elements"), ("patient=Patient%2F1", "patient"),
        })
        {
            var outcome = await FhirValidation.AssertOutcomeAsync(
                await KickOffAsync(client, $"{group}?{query}"), HttpStatusCode.BadRequest, OperationOutcome.IssueType.Invalid);
            Assert.Equal([parameter], outcome.Issue.Single().Expression);
        }

        // With Prefer: handling=lenient, a parameter the server does not support is ignored.
        var lenient = await KickOffAsync(client, $"{group}?_elements=id", prefer: "respond-async, handling=lenient");
        Assert.Equal(HttpStatusCode.Accepted, lenient.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync(lenient.Content.Headers.ContentLocation)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await KickOffAsync(client, $"{group}?_outputFormat=ndjson")).StatusCode);
    }

    [Fact]
    public async Task AnotherClinicsGroupIsNotFoundAndPatientsMayNotExport()
    {
        var clinic = await api.CreateClinicAsync();
        var outsider = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Doctor, (await api.CreateClinicAsync()).Id));
        var patient = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Patient, clinic.Id));
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        var ownCompartment = await FhirTokens.ScopedClientAsync(api, doctor, "patient/*.rs");

        foreach (var path in new[] { $"/fhir/r4/Group/{clinic.Id}/$export", $"/fhir/r4/Group/{Guid.NewGuid()}/$export", "/fhir/r4/Group/not-an-id/$export" })
        {
            await FhirValidation.AssertOutcomeAsync(await KickOffAsync(outsider, path), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        }

        foreach (var caller in new[] { patient, ownCompartment })
        {
            foreach (var path in new[] { $"/fhir/r4/Group/{clinic.Id}/$export", "/fhir/r4/Patient/$export" })
            {
                await FhirValidation.AssertOutcomeAsync(await KickOffAsync(caller, path), HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden);
            }
        }

        Assert.Empty(await api.WithDbAsync(db => db.BulkExports.AsNoTracking().Where(e => e.GroupId == clinic.Id).ToListAsync()));
    }

    [Fact]
    public async Task EachTypeNeedsItsOwnPermissionAndScopeRefusedWhenAskedForAndLeftOutOtherwise()
    {
        var clinic = await api.CreateClinicAsync();
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        await SeedAsync(api, clinic.Id, doctor.Id);
        var receptionist = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, clinic.Id));
        var patientsOnly = await FhirTokens.ScopedClientAsync(api, doctor, "user/Patient.rs");
        var admin = await FhirTokens.ScopedClientAsync(api, await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id), "system/*.rs");
        var group = $"/fhir/r4/Group/{clinic.Id}/$export";

        await FhirValidation.AssertOutcomeAsync(await KickOffAsync(receptionist, $"{group}?_type=Patient,Observation"), HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden);
        await FhirValidation.AssertOutcomeAsync(await KickOffAsync(patientsOnly, $"{group}?_type=Observation"), HttpStatusCode.Forbidden, OperationOutcome.IssueType.Forbidden);

        foreach (var (caller, expected) in new[]
        {
            (receptionist, new[] { "Patient", "Appointment", "Organization", "Location", "Practitioner" }),
            (patientsOnly, new[] { "Patient" }),
            (admin, new[] { "Patient", "Appointment", "Organization", "Location", "Practitioner" }),
        })
        {
            var status = await StartAsync(caller, group);
            await RunJobAsync(api, status);
            Assert.Equal(expected, Outputs(await ManifestAsync(caller, status)).Select(o => o.Type));
        }
    }

    [Fact]
    public async Task OnlyTheRequesterPollsDownloadsAndCancelsAndItHasOneUnfinishedExportAtATime()
    {
        var clinic = await api.CreateClinicAsync();
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        await SeedAsync(api, clinic.Id, doctor.Id);
        var requester = await api.ClientForAsync(doctor);
        var colleague = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id));
        var superAdmin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.SuperAdmin));
        var group = $"/fhir/r4/Group/{clinic.Id}/$export?_type=Patient";

        var status = await StartAsync(requester, group);
        var busy = await FhirValidation.AssertOutcomeAsync(await KickOffAsync(requester, group), HttpStatusCode.TooManyRequests, OperationOutcome.IssueType.Throttled);
        Assert.Contains(status.ToString(), busy.Issue.Single().Diagnostics, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, (await KickOffAsync(colleague, group)).StatusCode);
        await RunJobAsync(api, status);
        var url = Outputs(await ManifestAsync(requester, status)).Single().Url;

        foreach (var other in new[] { colleague, superAdmin })
        {
            await FhirValidation.AssertOutcomeAsync(await other.GetAsync(status), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
            await FhirValidation.AssertOutcomeAsync(await other.GetAsync(url), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
            await FhirValidation.AssertOutcomeAsync(await other.DeleteAsync(status), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        }

        Assert.Single(await DownloadAsync(requester, url));
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CreateClient().GetAsync(url)).StatusCode);

        // The same user through a third-party app (its client id) is another requester.
        var exportId = IdOf(status);
        await api.WithDbAsync(db => db.BulkExports.Where(e => e.Id == exportId).ExecuteUpdateAsync(e => e.SetProperty(x => x.RequesterClientId, "an-app")));
        await FhirValidation.AssertOutcomeAsync(await requester.GetAsync(status), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        await FhirValidation.AssertOutcomeAsync(await requester.GetAsync(url), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        await api.WithDbAsync(db => db.BulkExports.Where(e => e.Id == exportId).ExecuteUpdateAsync(e => e.SetProperty(x => x.RequesterClientId, (string?)null)));

        Assert.Equal(HttpStatusCode.Accepted, (await requester.DeleteAsync(status)).StatusCode);
        await FhirValidation.AssertOutcomeAsync(await requester.GetAsync(status), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        await FhirValidation.AssertOutcomeAsync(await requester.GetAsync(url), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        await FhirValidation.AssertOutcomeAsync(await requester.DeleteAsync(status), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        Assert.False(await api.WithDbAsync(db => db.BulkExportFiles.AnyAsync(f => f.ExportId == exportId)));
    }

    [Fact]
    public async Task ACancelledExportStopsTheJobAndFreesTheRequester()
    {
        var clinic = await api.CreateClinicAsync();
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        await SeedAsync(api, clinic.Id, doctor.Id);
        var client = await api.ClientForAsync(doctor);
        var group = $"/fhir/r4/Group/{clinic.Id}/$export";

        var status = await StartAsync(client, group);
        Assert.Equal(HttpStatusCode.Accepted, (await client.DeleteAsync(status)).StatusCode);
        await RunJobAsync(api, status);

        var exportId = IdOf(status);
        Assert.Equal(BulkExportStatus.Cancelled, await api.WithDbAsync(db => db.BulkExports.Where(e => e.Id == exportId).Select(e => e.Status).SingleAsync()));
        Assert.False(await api.WithDbAsync(db => db.BulkExportFiles.AnyAsync(f => f.ExportId == exportId)));
        await FhirValidation.AssertOutcomeAsync(await client.GetAsync(status), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        var next = await StartAsync(client, group);
        await RunJobAsync(api, next);
        Assert.Equal(AllTypes, Outputs(await ManifestAsync(client, next)).Select(o => o.Type));

        // A failed export says so, without detail, and frees its requester too.
        var failed = await StartAsync(client, group);
        var failedId = IdOf(failed);
        await api.WithDbAsync(db => db.BulkExports.Where(e => e.Id == failedId).ExecuteUpdateAsync(e => e.SetProperty(x => x.Status, BulkExportStatus.Failed)));
        var outcome = await FhirValidation.AssertOutcomeAsync(await client.GetAsync(failed), HttpStatusCode.InternalServerError, OperationOutcome.IssueType.Exception);
        Assert.Equal("The export failed; request a new one.", outcome.Issue.Single().Diagnostics);
        Assert.Equal(HttpStatusCode.Accepted, (await KickOffAsync(client, group)).StatusCode);
    }

    [Fact]
    public async Task TheCapabilityStatementListsTheExportOperations()
    {
        var statement = Assert.IsType<CapabilityStatement>(await FhirValidation.ResourceAsync(await api.CreateClient().GetAsync("/fhir/r4/metadata")));

        var resources = statement.Rest.Single().Resource;
        Assert.Equal(
            ["http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export"],
            resources.Single(r => r.Type == "Group").Operation.Where(o => o.Name == "export").Select(o => o.Definition));
        Assert.Equal(
            ["http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"],
            resources.Single(r => r.Type == "Patient").Operation.Where(o => o.Name == "export").Select(o => o.Definition));
        Assert.Contains("http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data", statement.Instantiates);
    }
}
