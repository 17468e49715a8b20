using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Healthcare.Core.Fhir;
using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Apps;
using Healthcare.Testing;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using static Healthcare.IntegrationTests.Fhir.BulkExportRequests;
using Task = System.Threading.Tasks.Task;

namespace Healthcare.IntegrationTests.Fhir;

/// <summary>
/// A SMART backend service (its token's subject is its own client id) exports its clinic's Group, and the export is
/// the service's alone: the administrator who registered it, though a user of the same clinic, does not see it.
/// </summary>
public sealed class BulkExportAppTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task ABackendServiceExportsItsClinicAndTheExportIsItsAlone()
    {
        var clinic = await api.CreateClinicAsync();
        var otherClinic = await api.CreateClinicAsync();
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        await SeedAsync(api, clinic.Id, doctor.Id);
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id));
        using var key = BackendServiceKey.Es384();
        var app = await AppRequests.RegisterBackendAsync(admin, clinic.Id, key);
        var service = await ServiceClientAsync(app.ClientId, key);

        await FhirValidation.AssertOutcomeAsync(
            await KickOffAsync(service, $"/fhir/r4/Group/{otherClinic.Id}/$export"), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        var status = await StartAsync(service, $"/fhir/r4/Group/{clinic.Id}/$export");
        var exportId = IdOf(status);
        var requester = await api.WithDbAsync(db => db.BulkExports.Where(e => e.Id == exportId)
            .Select(e => new { e.RequesterSubject, e.RequesterClientId }).SingleAsync());
        Assert.Equal((app.ClientId, app.ClientId), (requester.RequesterSubject, requester.RequesterClientId!));

        await RunJobAsync(api, status);
        var outputs = Outputs(await ManifestAsync(service, status));
        Assert.Equal(AllTypes, outputs.Select(o => o.Type));
        Assert.Single(await DownloadAsync(service, outputs[0].Url));
        await FhirValidation.AssertOutcomeAsync(await admin.GetAsync(status), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
        await FhirValidation.AssertOutcomeAsync(await admin.GetAsync(outputs[0].Url), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
    }

    private async Task<HttpClient> ServiceClientAsync(string clientId, BackendServiceKey key)
    {
        var answer = await api.CreateClient().PostAsync(
            "/connect/token", BackendServiceKey.TokenRequest(key.Assertion(clientId, "http://localhost/connect/token"), "system/*.rs"));
        var token = await answer.Content.ReadFromJsonAsync<TokenAnswer>();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{token?.Error}: {token?.ErrorDescription}");
        var service = api.CreateClient();
        service.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.AccessToken);
        return service;
    }
}
