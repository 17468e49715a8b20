using System.Text.Json;
using Healthcare.Testing;
using Xunit.Abstractions;

namespace Healthcare.IntegrationTests.Platform;

/// <summary>
/// The document the running API serves, linted by Redocly CLI with its recommended rules (redocly.yaml at the
/// repository root): a third-party check of what generated clients will read. Errors fail; warnings are printed.
/// </summary>
public sealed class OpenApiLintTests(ApiFactory api, ITestOutputHelper output) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task RedoclyFindsNoErrorInTheServedDocument()
    {
        var file = Path.Combine(Path.GetTempPath(), $"hb-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, await api.CreateClient().GetStringAsync("/openapi/v1.json"));
        try
        {
            var (exitCode, stdout, stderr) = await RunRedoclyAsync(file);
            using var report = JsonDocument.Parse(stdout);
            var problems = report.RootElement.GetProperty("problems").EnumerateArray()
                .Select(p => (Rule: p.GetProperty("ruleId").GetString(), Severity: p.GetProperty("severity").GetString(),
                    Message: p.GetProperty("message").GetString(), Where: p.GetProperty("location")[0].GetProperty("pointer").GetString()))
                .ToList();
            foreach (var problem in problems)
            {
                output.WriteLine($"{problem.Severity} {problem.Rule}: {problem.Message} at {problem.Where}");
            }

            Assert.True(problems.All(p => p.Severity != "error"), $"Redocly found errors (exit code {exitCode}): {stderr}");
            Assert.Equal(0, exitCode);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static Task<CommandLine.Result> RunRedoclyAsync(string file)
    {
        var redocly = Path.Combine(RepositoryPaths.Root, "devops", "tools", "node_modules", ".bin", "redocly");
        Assert.True(File.Exists(redocly), "Redocly CLI is not installed: run the tests with `make test` (devops/scripts/ci/node-tools.sh installs it)");
        return CommandLine.RunAsync(
            redocly,
            ["lint", "--config", Path.Combine(RepositoryPaths.Root, "redocly.yaml"), "--format=json", "--max-problems=1000", file],
            TimeSpan.FromSeconds(60),
            environment: new Dictionary<string, string> { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" });
    }
}
