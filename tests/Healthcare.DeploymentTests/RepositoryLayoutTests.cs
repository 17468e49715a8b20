using Healthcare.Testing;

namespace Healthcare.DeploymentTests;

public sealed class RepositoryLayoutTests
{
    [Fact]
    public void DeploymentKitLivesUnderDevops()
    {
        Assert.True(Directory.Exists(Path.Combine(RepositoryPaths.Root, "devops", "scripts")));
    }
}
