using System.Globalization;
using System.Text.RegularExpressions;
using Healthcare.Testing;

namespace Healthcare.DeploymentTests;

/// <summary>
/// The production topology as local processes (devops/scripts/local/prod-local.sh, also `make prod-local`):
/// three API instances and the worker behind HAProxy with the shipped haproxy.cfg, a smoke test through it,
/// then one instance killed during a load run.
/// </summary>
public sealed partial class ProdTopologyTests
{
    [Fact]
    public async Task ServesThroughHaproxyAndLosesNoRequestButThoseInFlightWhenAnInstanceDies()
    {
        var result = await Tool.RunAsync(
            Tool.DevopsPath("scripts", "local", "prod-local.sh"),
            ["--no-build", "--configuration", RepositoryPaths.Configuration, "--load-seconds", "20"],
            timeout: TimeSpan.FromMinutes(8));

        // The script judges each step itself and says why it failed; its report is checked here as well.
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("prod-local: ok", result.Output, StringComparison.Ordinal);
        Assert.Contains("readiness over HTTP/2 and TLS: 200", result.Output, StringComparison.Ordinal);
        Assert.Contains("the API saw the client at 127.0.0.2", result.Output, StringComparison.Ordinal);
        // The migrator and the seed ran as the owner; what serves connects as the runtime role alone.
        Assert.Contains("the API instances and the worker connect as healthcare_app only", result.Output, StringComparison.Ordinal);

        var load = Load().Match(result.Output);
        Assert.True(load.Success, result.Output);
        Assert.True(Number(load, "requests") > 0, result.Output);
        Assert.True(Number(load, "failed") <= 16, $"more failed requests than connections in flight:\n{result.Output}");

        var down = Down().Match(result.Output);
        Assert.True(down.Success, result.Output);
        Assert.True(Number(down, "ms") <= Number(down, "interval") * 1000, result.Output);
        Assert.Equal(0, Number(down, "after"));

        Assert.Matches(@"reminder: notification [0-9a-f-]{36} is Hangfire job \d+ on queue 'default'", result.Output);
    }

    private static int Number(Match match, string group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"load: (?<requests>\d+) requests in [\d.]+ s, (?<failed>\d+) failed")]
    private static partial Regex Load();

    [GeneratedRegex(@"marked DOWN after (?<ms>\d+) ms \(health-check interval (?<interval>\d+) s\); requests routed to it afterwards: (?<after>\d+)")]
    private static partial Regex Down();
}
