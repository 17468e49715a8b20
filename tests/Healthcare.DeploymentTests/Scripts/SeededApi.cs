using Healthcare.Testing;

namespace Healthcare.DeploymentTests.Scripts;

/// <summary>
/// A real API process on a migrated database holding the demo data, with the demo accounts' passwords read
/// from the seeder's credentials file: the "deployed" API that the smoke test and the health check examine.
/// </summary>
public sealed class SeededApi : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hb-seeded-").FullName;

    public HostProcess Process { get; private set; } = null!;

    public string DatabaseUrl { get; private set; } = "";

    public string BaseUrl => Process.BaseAddress.ToString().TrimEnd('/');

    /// <summary>The demo doctor: a staff account without MFA.</summary>
    public (string Email, string Password) Doctor { get; private set; }

    public Task InitializeAsync() => Fixture.StartOrDisposeAsync(StartAsync, DisposeAsync);

    private async Task StartAsync()
    {
        DatabaseUrl = await TestServers.CreateDatabaseAsync(nameof(SeededApi));
        var settings = HostProcess.ApiSettings(DatabaseUrl);
        await DemoDatabase.MigrateAndSeedAsync(settings, _directory);
        Doctor = DemoDatabase.ReadAccount(Path.Combine(_directory, "credentials.txt"), "doctor");
        Process = await HostProcess.StartServingAsync(RepositoryPaths.ApiDll, settings);
    }

    public async Task DisposeAsync()
    {
        if (Process is not null)
        {
            await Process.DisposeAsync();
        }

        await TestServers.DropDatabaseAsync(DatabaseUrl);
        Directory.Delete(_directory, recursive: true);
    }
}

/// <summary>The migrate and seed commands of the API binary, as the deployment runs them.</summary>
public static class DemoDatabase
{
    public static async Task MigrateAndSeedAsync(IReadOnlyDictionary<string, string?> settings, string directory)
    {
        await using (var migrate = HostProcess.Start(RepositoryPaths.ApiDll, HostProcess.AsOwner(settings), "migrate"))
        {
            Assert.True(await migrate.WaitForExitAsync() == 0, migrate.Describe());
        }

        await using var seed = HostProcess.Start(
            RepositoryPaths.ApiDll, HostProcess.AsOwner(settings), "seed", "--credentials-file", Path.Combine(directory, "credentials.txt"));
        Assert.True(await seed.WaitForExitAsync(TimeSpan.FromMinutes(2)) == 0, seed.Describe());
    }

    /// <summary>Reads "role  e-mail  password" from the seeder's credentials file.</summary>
    public static (string Email, string Password) ReadAccount(string credentialsFile, string role)
    {
        var line = File.ReadAllLines(credentialsFile)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Single(parts => parts.Length == 3 && parts[0] == role);
        return (line[1], line[2]);
    }
}

[CollectionDefinition(Name)]
public sealed class SeededApiGroup : ICollectionFixture<SeededApi>
{
    public const string Name = "Seeded API";
}
