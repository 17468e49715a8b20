using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Clients;

/// <summary>A running API with the demo clinic and accounts of <c>make run</c>; their passwords in <see cref="CredentialsFile"/>.</summary>
public sealed class DemoApi : RunningApi
{
    public string CredentialsFile { get; } = Path.Combine(Path.GetTempPath(), $"hb-demo-credentials-{Guid.NewGuid():N}.txt");

    protected override async Task PrepareAsync(Dictionary<string, string?> ownerSettings)
    {
        await using var seed = HostProcess.Start(RepositoryPaths.ApiDll, ownerSettings, "seed", "--credentials-file", CredentialsFile);
        var exit = await seed.WaitForExitAsync();
        Assert.True(exit == 0, seed.Describe());
    }

    public override async Task DisposeAsync()
    {
        File.Delete(CredentialsFile);
        await base.DisposeAsync();
    }
}
