using System.Globalization;
using System.Net;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Platform;

public sealed class WorkerTests : IAsyncLifetime
{
    private string _databaseUrl = "";

    public async Task InitializeAsync() => _databaseUrl = await TestServers.CreateDatabaseAsync(nameof(WorkerTests));

    public Task DisposeAsync() => TestServers.DropDatabaseAsync(_databaseUrl);

    [Fact]
    public async Task WorkerServesHealthOnItsOwnPortAndStopsCleanlyOnSigterm()
    {
        var settings = HostProcess.ApiSettings(_databaseUrl);
        await using (var migrate = HostProcess.Start(RepositoryPaths.ApiDll, settings, "migrate"))
        {
            Assert.Equal(0, await migrate.WaitForExitAsync());
        }

        settings.Remove("HTTP_PORT");
        settings["WORKER_HTTP_PORT"] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        settings["LISTEN_ADDRESS"] = "localhost";
        await using var worker = await HostProcess.StartServingAsync(RepositoryPaths.WorkerDll, settings);
        using var http = new HttpClient { BaseAddress = worker.BaseAddress };

        // Readiness may take a few probes while the first database and Redis connections are made.
        var ready = HttpStatusCode.ServiceUnavailable;
        for (var attempt = 0; attempt < 60 && ready != HttpStatusCode.OK; attempt++)
        {
            ready = (await http.GetAsync("/health/ready")).StatusCode;
            await Task.Delay(ready == HttpStatusCode.OK ? 0 : 500);
        }

        Assert.Equal(HttpStatusCode.OK, ready);

        worker.Terminate();
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task InProductionTheWorkerRefusesTheLogOnlyEmailChannel()
    {
        var settings = HostProcess.WorkerSettings(_databaseUrl);
        settings["DOTNET_ENVIRONMENT"] = "Production";
        settings["NOTIFY_EMAIL_CHANNEL"] = "log";

        await using var worker = HostProcess.Start(RepositoryPaths.WorkerDll, settings);

        Assert.Equal(78, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains(worker.StandardError, line => line.Contains("NOTIFY_EMAIL_CHANNEL=log is for development", StringComparison.Ordinal));
    }
}
