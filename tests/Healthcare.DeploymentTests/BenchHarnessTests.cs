using System.Globalization;
using System.Text.RegularExpressions;
using Healthcare.Testing;

namespace Healthcare.DeploymentTests;

/// <summary>
/// The benchmark harness (devops/scripts/bench/bench.sh, `make bench`) in its quick mode: a tiny seed-large
/// load on private servers, every wrk scenario for a few seconds, pgbench and the connections test. The
/// numbers are not judged here (a busy CI machine says little about speed); that everything ran, answered
/// 2xx only (so the loaded rows were readable through the API) and booked nothing twice is.
/// </summary>
public sealed partial class BenchHarnessTests
{
    private static readonly string[] Scenarios = ["health", "appointment", "availability", "upcoming", "book-cancel", "mixed"];

    [Fact]
    public async Task QuickBenchRunsEveryScenarioWithoutErrorsAndBooksNothingTwice()
    {
        var result = await Tool.RunAsync(
            Tool.DevopsPath("scripts", "bench", "bench.sh"),
            ["--quick", "--no-build", "--configuration", RepositoryPaths.Configuration, "--duration", "2"],
            timeout: TimeSpan.FromMinutes(5));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("bench: ok", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"loaded [1-9]\d* rows in \d+s", result.Output);
        Assert.Contains("double bookings: 0", result.Output, StringComparison.Ordinal);
        Assert.Contains("readable through the API: patient found by national id, clinical note decrypted", result.Output, StringComparison.Ordinal);

        var reports = Report().Matches(result.Output).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["line"].Value);
        foreach (var scenario in Scenarios.Append("paced"))
        {
            Assert.True(reports.TryGetValue(scenario, out var line), $"no report for {scenario}:\n{result.Output}");
            Assert.True(Field(line, "requests") > 0, $"{scenario} served nothing: {line}");
            Assert.True(Field(line, "ok") > 0, $"{scenario} answered no 2xx: {line}");
            Assert.Equal(0, Field(line, "non2xx") + Field(line, "socket_errors") + Field(line, "timeouts"));
        }

        Assert.True(Field(reports["book-cancel"], "created") > 0, reports["book-cancel"]);
        Assert.Equal(0, Field(reports["book-cancel"], "conflicts"));
        Assert.Matches(@"pgbench: [1-9]\d* transactions, [\d.]+ tps", result.Output);
        Assert.Matches(@"connections: held [1-9]\d* open .* API resident memory [1-9]\d* MB", result.Output);
    }

    private static long Field(string line, string name)
    {
        var match = Regex.Match(line, $@"(?:^|\s){name}=(\d+)");
        Assert.True(match.Success, $"no {name} in: {line}");
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    // bench.sh prints each wrk report as "   NAME: BENCH requests=... ok=... non2xx=...".
    [GeneratedRegex(@"^\s+(?<name>[a-z-]+): (?<line>BENCH .*?)\r?$", RegexOptions.Multiline)]
    private static partial Regex Report();
}
