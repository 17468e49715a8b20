using System.Text.Json.Nodes;
using System.Xml.Linq;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Clients;

/// <summary>
/// The committed SDK sources are what the generator makes of the committed document (Platform/Contract, which
/// ContractSnapshotTests keep equal to the served one): a change to the API without `make clients` fails here.
/// </summary>
public sealed class SdkFreshnessTests
{
    private static readonly string Contract =
        Path.Combine(RepositoryPaths.Root, "tests", "Healthcare.IntegrationTests", "Platform", "Contract", "openapi.v1.json");

    [Fact]
    public async Task TheTypeScriptTypesAreGeneratedFromTheCommittedDocument()
    {
        var package = Path.Combine(RepositoryPaths.Root, "clients", "typescript");
        var generator = Path.Combine(package, "node_modules", ".bin", "openapi-typescript");
        Assert.True(File.Exists(generator), "openapi-typescript is not installed: run the tests with `make test`");
        var fresh = Path.Combine(Path.GetTempPath(), $"hb-schema-{Guid.NewGuid():N}.ts");
        try
        {
            var result = await CommandLine.RunAsync(generator, [Contract, "-o", fresh], TimeSpan.FromSeconds(60), package);
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.True(
                await File.ReadAllTextAsync(fresh) == await File.ReadAllTextAsync(Path.Combine(package, "src", "schema.ts")),
                "clients/typescript/src/schema.ts is out of date: run `make clients` and commit the result");
        }
        finally
        {
            File.Delete(fresh);
        }
    }

    [Fact]
    public async Task TheDotNetClientIsGeneratedFromTheCommittedDocument()
    {
        var fresh = Directory.CreateTempSubdirectory("hb-kiota-").FullName;
        try
        {
            var result = await DotNetSdk.GenerateAsync(Contract, fresh);
            Assert.True(result.ExitCode == 0, result.ToString());
            var committed = DotNetSdk.GeneratedSources(Path.Combine(DotNetSdk.Root, DotNetSdk.GeneratedFolder));
            var generated = DotNetSdk.GeneratedSources(fresh);
            Assert.True(
                committed.Count == generated.Count && committed.All(c => generated.TryGetValue(c.Key, out var text) && text == c.Value),
                $"clients/dotnet/{DotNetSdk.GeneratedFolder} is out of date: run `make clients` and commit the result");
        }
        finally
        {
            Directory.Delete(fresh, recursive: true);
        }
    }

    [Fact]
    public void TheSdksCarryTheVersionOfTheCommittedDocument()
    {
        var version = (string?)JsonNode.Parse(File.ReadAllText(Contract))!["info"]!["version"];
        var package = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "clients", "typescript", "package.json")))!;
        var project = XDocument.Load(Path.Combine(DotNetSdk.Root, "src", "HealthcareBackend.Client", "HealthcareBackend.Client.csproj"));
        Assert.Equal(version, (string?)package["version"]);
        Assert.Equal(version, project.Descendants("Version").Single().Value);
    }
}
