using Healthcare.ServiceDefaults.Hosting;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Logging;

/// <summary>The log store's settings are validated with all the others: one line naming each bad variable, exit 78.</summary>
public sealed class LogSettingsTests
{
    [Fact]
    public async Task BadLogStoreSettingsStopTheWorkerWithOneLineNamingEach()
    {
        var settings = HostProcess.WorkerSettings(TestServers.UnreachablePostgresUrl);
        settings["LOG_STORE_LEVEL"] = "loud";
        settings["LOG_RETENTION_DAYS"] = "0";
        settings["LOG_STORE_BUFFER"] = "5";

        await using var worker = HostProcess.Start(RepositoryPaths.WorkerDll, settings);
        var exitCode = await worker.WaitForExitAsync();

        Assert.Equal(StartupGuard.ConfigurationErrorExitCode, exitCode);
        var line = Assert.Single(worker.StandardError, l => l.Length > 0);
        Assert.Contains("LOG_STORE_LEVEL must be one of trace, debug, info, warning, error, off", line, StringComparison.Ordinal);
        Assert.Contains("LOG_RETENTION_DAYS must be between 1 and 3650", line, StringComparison.Ordinal);
        Assert.Contains("LOG_STORE_BUFFER must be between 100 and 1000000", line, StringComparison.Ordinal);
    }
}
