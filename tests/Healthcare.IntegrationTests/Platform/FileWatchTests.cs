using System.Globalization;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Platform;

/// <summary>
/// Settings come from the environment, so neither process watches files: a watch on the working directory
/// would cost CPU for every file written beneath it (a database's data directory, logs).
/// </summary>
public sealed class FileWatchTests : IAsyncLifetime
{
    private string _databaseUrl = "";

    public Task InitializeAsync() => Fixture.StartOrDisposeAsync(StartAsync, DisposeAsync);

    private async Task StartAsync()
    {
        _databaseUrl = await TestServers.CreateDatabaseAsync(nameof(FileWatchTests));
        await using var migrate = HostProcess.Start(RepositoryPaths.ApiDll, HostProcess.AsOwner(HostProcess.ApiSettings(_databaseUrl)), "migrate");
        Assert.Equal(0, await migrate.WaitForExitAsync());
    }

    public Task DisposeAsync() => TestServers.DropDatabaseAsync(_databaseUrl);

    [Fact]
    public async Task TheApiAndTheWorkerHoldNoInotifyWatch()
    {
        await using var api = await HostProcess.StartServingAsync(RepositoryPaths.ApiDll, HostProcess.ApiSettings(_databaseUrl));
        var settings = HostProcess.ApiSettings(_databaseUrl);
        settings.Remove("HTTP_PORT");
        settings["WORKER_HTTP_PORT"] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        await using var worker = await HostProcess.StartServingAsync(RepositoryPaths.WorkerDll, settings);

        Assert.Equal(0, InotifyInstances(api.ProcessId));
        Assert.Equal(0, InotifyInstances(worker.ProcessId));
        // The check itself can see a watch: this test process has one when it watches a directory.
        using var watcher = new FileSystemWatcher(Path.GetTempPath()) { EnableRaisingEvents = true };
        Assert.True(InotifyInstances(Environment.ProcessId) > 0);
    }

    private static int InotifyInstances(int processId) =>
        new DirectoryInfo($"/proc/{processId}/fd").EnumerateFileSystemInfos()
            .Count(fd => fd.LinkTarget == "anon_inode:inotify");
}
