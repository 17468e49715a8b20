using System.Net;
using Healthcare.Core.Identity;
using Healthcare.Testing;
using static Healthcare.IntegrationTests.Fhir.BulkExportRequests;

namespace Healthcare.IntegrationTests.Fhir;

/// <summary>The real worker process builds a requested export: the kick-off's outbox row becomes the job, the job the files.</summary>
public sealed class BulkExportWorkerTests(ApiFactory api) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private HostProcess? _worker;

    public Task InitializeAsync() => Fixture.StartOrDisposeAsync(
        async () => _worker = await HostProcess.StartServingAsync(RepositoryPaths.WorkerDll, HostProcess.WorkerSettings(api.DatabaseUrl)), DisposeAsync);

    public async Task DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }
    }

    [Fact]
    public async Task TheWorkerBuildsTheFilesOfARequestedExport()
    {
        var clinic = await api.CreateClinicAsync();
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        var seeded = await SeedAsync(api, clinic.Id, doctor.Id);
        var client = await api.ClientForAsync(doctor);

        var status = await StartAsync(client, $"/fhir/r4/Group/{clinic.Id}/$export");
        var polled = await client.GetAsync(status);
        for (var i = 0; i < TestTimeouts.Polls(150) && polled.StatusCode == HttpStatusCode.Accepted; i++)
        {
            Assert.NotNull(polled.Headers.RetryAfter);
            await Task.Delay(200);
            polled = await client.GetAsync(status);
        }

        Assert.True(polled.StatusCode == HttpStatusCode.OK, $"{(int)polled.StatusCode}; worker output:\n{_worker!.Describe()}");
        var outputs = Outputs(await ManifestAsync(client, status));
        Assert.Equal(AllTypes, outputs.Select(o => o.Type));
        var patient = Assert.IsType<Hl7.Fhir.Model.Patient>(Assert.Single(await DownloadAsync(client, outputs[0].Url)));
        Assert.Equal(seeded.FamilyName, patient.Name.Single().Family);
    }
}
