using Healthcare.Testing;
using Xunit.Abstractions;

namespace Healthcare.IntegrationTests.Clients;

/// <summary>
/// The TypeScript SDK (clients/typescript: openapi-typescript types, openapi-fetch client) as a client developer
/// uses it: types generated afresh from the running API's document, the newcomer scenario type-checked against them
/// (a drift between document and code fails here) and then run against the API with the demo accounts.
/// </summary>
public sealed class TypeScriptClientTests(DemoApi api, ITestOutputHelper output) : IClassFixture<DemoApi>
{
    private static readonly string Package = Path.Combine(RepositoryPaths.Root, "clients", "typescript");

    [Fact]
    public async Task TheNewcomerScenarioTypeChecksAgainstTheLiveDocumentAndPasses()
    {
        var workspace = Directory.CreateTempSubdirectory("hb-ts-client-").FullName;
        try
        {
            CopyPackage(workspace);
            var document = Path.Combine(workspace, "openapi.json");
            using (var http = new HttpClient { BaseAddress = api.HttpAddress })
            {
                await File.WriteAllTextAsync(document, await http.GetStringAsync("/openapi/v1.json"));
            }

            await RunAsync(workspace, Tool("openapi-typescript"), [document, "-o", Path.Combine(workspace, "src", "schema.ts")]);
            await RunAsync(workspace, Tool("tsc"), ["-p", Path.Combine(workspace, "tsconfig.json")]);
            var scenario = await RunAsync(workspace, "node", [Path.Combine(workspace, "dist", "scenario", "newcomer.js")], new Dictionary<string, string>
            {
                ["HB_API_URL"] = api.HttpAddress.ToString(),
                ["HB_CREDENTIALS_FILE"] = api.CredentialsFile,
            });
            Assert.Contains("newcomer scenario passed", scenario.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }

    private async Task<CommandLine.Result> RunAsync(string workspace, string program, string[] arguments, Dictionary<string, string>? environment = null)
    {
        var result = await CommandLine.RunAsync(program, arguments, TimeSpan.FromSeconds(120), workspace, environment);
        output.WriteLine($"$ {Path.GetFileName(program)} {string.Join(' ', arguments)}\n{result}");
        Assert.True(result.ExitCode == 0, $"{Path.GetFileName(program)} failed: {result}");
        return result;
    }

    private static string Tool(string name)
    {
        var path = Path.Combine(Package, "node_modules", ".bin", name);
        Assert.True(File.Exists(path), $"{name} is not installed: run the tests with `make test` (devops/scripts/ci/node-tools.sh installs clients/typescript)");
        return path;
    }

    /// <summary>The package's sources and settings, with its installed node_modules linked, so generation writes only here.</summary>
    private static void CopyPackage(string workspace)
    {
        foreach (var file in new[] { "package.json", "tsconfig.json" })
        {
            File.Copy(Path.Combine(Package, file), Path.Combine(workspace, file));
        }

        foreach (var folder in new[] { "src", "scenario" })
        {
            Directory.CreateDirectory(Path.Combine(workspace, folder));
            foreach (var file in Directory.EnumerateFiles(Path.Combine(Package, folder), "*.ts"))
            {
                File.Copy(file, Path.Combine(workspace, folder, Path.GetFileName(file)));
            }
        }

        Directory.CreateSymbolicLink(Path.Combine(workspace, "node_modules"), Path.Combine(Package, "node_modules"));
    }
}
