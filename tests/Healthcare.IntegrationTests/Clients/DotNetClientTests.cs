using Healthcare.Testing;
using Xunit.Abstractions;

namespace Healthcare.IntegrationTests.Clients;

/// <summary>
/// The .NET SDK (clients/dotnet: a Kiota client in a NuGet package) as a client developer uses it: the client
/// generated afresh from the running API's document, the newcomer scenario compiled against it (a drift between
/// document and code fails the build) and then run against the API with the demo accounts.
/// </summary>
public sealed class DotNetClientTests(DemoApi api, ITestOutputHelper output) : IClassFixture<DemoApi>
{
    [Fact]
    public async Task TheNewcomerScenarioCompilesAgainstAClientOfTheLiveDocumentAndPasses()
    {
        var workspace = Directory.CreateTempSubdirectory("hb-dotnet-client-").FullName;
        try
        {
            DotNetSdk.CopySources(workspace);
            var document = Path.Combine(workspace, "openapi.json");
            using (var http = new HttpClient { BaseAddress = api.HttpAddress })
            {
                await File.WriteAllTextAsync(document, await http.GetStringAsync("/openapi/v1.json"));
            }

            Record(await DotNetSdk.GenerateAsync(document, Path.Combine(workspace, DotNetSdk.GeneratedFolder)));
            var project = Path.Combine(workspace, "scenario", "Newcomer", "Newcomer.csproj");
            var output = Path.Combine(workspace, "out");
            Record(await CommandLine.RunAsync("dotnet", DotNetSdk.BuildArguments(project, output), TimeSpan.FromSeconds(300), workspace));
            var scenario = Record(await CommandLine.RunAsync("dotnet", [Path.Combine(output, "Newcomer.dll")], TimeSpan.FromSeconds(120), workspace, new Dictionary<string, string>
            {
                ["HB_API_URL"] = api.HttpAddress.ToString(),
                ["HB_CREDENTIALS_FILE"] = api.CredentialsFile,
            }));
            Assert.Contains("newcomer scenario passed", scenario.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }

    private CommandLine.Result Record(CommandLine.Result result)
    {
        output.WriteLine(result.ToString());
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }
}
