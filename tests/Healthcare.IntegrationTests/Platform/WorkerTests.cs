using System.Globalization;
using System.Net;
using Healthcare.Core.Configuration;
using Healthcare.Testing;
using Npgsql;

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
        await using (var migrate = HostProcess.Start(RepositoryPaths.ApiDll, HostProcess.AsOwner(settings), "migrate"))
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
        for (var attempt = 0; attempt < TestTimeouts.Polls(60) && ready != HttpStatusCode.OK; attempt++)
        {
            ready = (await http.GetAsync("/health/ready")).StatusCode;
            await Task.Delay(ready == HttpStatusCode.OK ? 0 : 500);
        }

        Assert.Equal(HttpStatusCode.OK, ready);

        worker.Terminate();
        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task RecurringJobsLockedByAKilledWorkerNeitherDelayTheStartNorStayUnregistered()
    {
        await TestServers.MigrateAsync(_databaseUrl);
        // The rows a worker killed while registering leaves behind; Hangfire waits 15 s for each before giving up.
        await ExecuteAsync("INSERT INTO hangfire.lock (resource, acquired) SELECT 'hangfire:lock:recurring-job:' || id, now() FROM unnest(@ids) AS id", RecurringJobIds);

        await using var worker = HostProcess.Start(RepositoryPaths.WorkerDll, HostProcess.WorkerSettings(_databaseUrl));
        await worker.WaitUntilServingAsync(TimeSpan.FromSeconds(30));
        var output = await Eventually.ReadAsync(() => Task.FromResult(worker.StandardOutput), lines => lines.Any(IsLockedSweep), TimeSpan.FromSeconds(60));

        Assert.Contains(output, IsLockedSweep);
        Assert.Empty(await RegisteredAsync());

        // The locks lapse (Hangfire removes them after its lock timeout); the worker registers every job by itself.
        await ExecuteAsync("DELETE FROM hangfire.lock WHERE resource = ANY(SELECT 'hangfire:lock:recurring-job:' || id FROM unnest(@ids) AS id)", RecurringJobIds);
        var registered = await Eventually.ReadAsync(RegisteredAsync, ids => ids.Count == RecurringJobIds.Length, TimeSpan.FromSeconds(30));

        Assert.Equal(RecurringJobIds.Order(), registered.Order());
    }

    [Fact]
    public async Task AWorkerStartedBeforeTheMigrationsServesAndRegistersItsJobsOnceTheyHaveRun()
    {
        await using var worker = HostProcess.Start(RepositoryPaths.WorkerDll, HostProcess.WorkerSettings(_databaseUrl));
        await worker.WaitUntilServingAsync(TimeSpan.FromSeconds(30));
        var output = await Eventually.ReadAsync(() => Task.FromResult(worker.StandardOutput), lines => lines.Any(IsFailedRegistration), TimeSpan.FromSeconds(30));
        Assert.Contains(output, IsFailedRegistration);

        await TestServers.MigrateAsync(_databaseUrl);
        var registered = await Eventually.ReadAsync(RegisteredAsync, ids => ids.Count == RecurringJobIds.Length, TimeSpan.FromSeconds(30));

        Assert.Equal(RecurringJobIds.Order(), registered.Order());
        Assert.False(worker.HasExited);
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

    private static readonly string[] RecurringJobIds =
        ["notifications-sweep", "appointment-reminders", "waitlist-holds", "no-shows", "clean-up", "bulk-export-expiry", "audit-verification"];

    private static bool IsLockedSweep(string line) =>
        line.Contains("is locked", StringComparison.Ordinal) && line.Contains("\"JobId\":\"notifications-sweep\"", StringComparison.Ordinal);

    private static bool IsFailedRegistration(string line) =>
        line.Contains("\"@l\":\"Warning\"", StringComparison.Ordinal) && line.Contains("Registering", StringComparison.Ordinal);

    private async Task ExecuteAsync(string sql, string[] ids)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(_databaseUrl).ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new("ids", ids) } };
        await command.ExecuteNonQueryAsync();
    }

    private async Task<List<string>> RegisteredAsync()
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(_databaseUrl).ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT value FROM hangfire.set WHERE key = 'recurring-jobs'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}
