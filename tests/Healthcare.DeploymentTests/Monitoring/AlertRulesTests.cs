using System.Text.RegularExpressions;
using Healthcare.Testing;

namespace Healthcare.DeploymentTests.Monitoring;

/// <summary>
/// devops/monitoring/alert-rules.yml: valid for Prometheus (<c>promtool check rules</c>), every alert shown firing and
/// silent by its unit tests (<c>promtool test rules</c>), and each one documented in the monitoring runbook.
/// </summary>
public sealed partial class AlertRulesTests
{
    private static readonly string[] Severities = ["warning", "critical"];

    private static readonly string[] TestFiles = ["alert-rules.test.yml", "alert-rules.audit.test.yml"];

    /// <summary>What the backend promises to alert on; each must have an alert of its own.</summary>
    public static readonly TheoryData<string> RequiredAlerts = new()
    {
        "HealthcareApiHighErrorRate", "HealthcareApiHighLatency", "HealthcareDbPoolSaturated", "HealthcareQueueBacklogGrowing",
        "HealthcareJobsFailing", "HealthcareNotificationsFailing", "HealthcareAuditChainBroken", "HealthcareAuditVerificationStale",
        "HealthcareReplicaLagHigh", "HealthcarePodRestarting", "HealthcareApiRateLimiting", "HealthcareLogEventsDropped",
    };

    [Fact]
    public async Task PromtoolAcceptsTheRules()
    {
        var result = await Tool.RunAsync(Tool.Require("promtool"), ["check", "rules", MonitoringFiles.PathOf(MonitoringFiles.AlertRules)]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"SUCCESS: {MonitoringFiles.Rules().Count} rules found", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alert-rules.test.yml")]
    [InlineData("alert-rules.audit.test.yml")]
    public async Task TheUnitTestsOfTheRulesPass(string file)
    {
        var result = await Tool.RunAsync(Tool.Require("promtool"), ["test", "rules", MonitoringFiles.PathOf(file)], timeout: TimeSpan.FromMinutes(2));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheUnitTestsFailWhenARuleIsWrong()
    {
        // The same tests against a copy whose error-rate threshold is ten times too high must fail, or passing proves nothing.
        using var temp = new TempDirectory();
        var rules = await File.ReadAllTextAsync(MonitoringFiles.PathOf(MonitoringFiles.AlertRules));
        var broken = rules.Replace("            > 0.05\n", "            > 0.5\n", StringComparison.Ordinal);
        Assert.NotEqual(rules, broken);
        await File.WriteAllTextAsync(temp.File(MonitoringFiles.AlertRules), broken);
        File.Copy(MonitoringFiles.PathOf("alert-rules.test.yml"), temp.File("alert-rules.test.yml"));

        var result = await Tool.RunAsync(Tool.Require("promtool"), ["test", "rules", temp.File("alert-rules.test.yml")], timeout: TimeSpan.FromMinutes(2));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("alertname: HealthcareApiHighErrorRate", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryAlertHasADelaySeverityAndTextsAndPointsToItsRunbookSection()
    {
        var runbook = File.ReadAllText(Path.Combine(RepositoryPaths.Root, MonitoringFiles.RunbookPath));
        var alerts = MonitoringFiles.Rules().Where(r => r.Alert is not null).ToList();

        Assert.True(alerts.Count >= RequiredAlerts.Count, $"only {alerts.Count} alerts");
        foreach (var alert in alerts)
        {
            Assert.True(alert.For is not null && Duration().IsMatch(alert.For), $"{alert.Alert}: 'for' is '{alert.For}'");
            Assert.Contains(alert.Labels.GetValueOrDefault("severity"), Severities);
            Assert.False(string.IsNullOrWhiteSpace(alert.Annotations.GetValueOrDefault("summary")), $"{alert.Alert} has no summary");
            Assert.False(string.IsNullOrWhiteSpace(alert.Annotations.GetValueOrDefault("description")), $"{alert.Alert} has no description");
            var anchor = alert.Alert!.ToLowerInvariant();
            Assert.Equal($"{MonitoringFiles.RunbookPath}#{anchor}", alert.Annotations.GetValueOrDefault("runbook_url"));
            // GitHub's anchor of a heading "### HealthcareApiHighErrorRate" is its lower-case text.
            Assert.Matches($"(?m)^#{{2,4}} {alert.Alert}$", runbook);
        }
    }

    [Theory]
    [MemberData(nameof(RequiredAlerts))]
    public void ThePromisedAlertExists(string alert) =>
        Assert.Contains(MonitoringFiles.Rules(), r => r.Alert == alert);

    [Fact]
    public void EveryAlertAndSeverityIsTestedFiringAndEveryAlertSilent()
    {
        var cases = TestFiles.SelectMany(MonitoringFiles.AlertTests).ToList();
        var alerts = MonitoringFiles.Rules().Where(r => r.Alert is not null).ToList();

        foreach (var alert in alerts)
        {
            var severity = alert.Labels["severity"];
            Assert.True(cases.Any(c => c.Alert == alert.Alert && c.FiringSeverities.Contains(severity)),
                $"no unit test shows {alert.Alert} ({severity}) firing");
            Assert.True(cases.Any(c => c.Alert == alert.Alert && c.FiringSeverities.Count == 0),
                $"no unit test shows {alert.Alert} silent");
        }

        var unknown = cases.Select(c => c.Alert).Distinct().Where(name => alerts.All(a => a.Alert != name)).ToList();
        Assert.True(unknown.Count == 0, $"tests name alerts that do not exist: {string.Join(", ", unknown)}");
    }

    [Fact]
    public void AlertNamesAreUniquePerSeverity()
    {
        var duplicates = MonitoringFiles.Rules().Where(r => r.Alert is not null)
            .GroupBy(r => (r.Alert, Severity: r.Labels["severity"])).Where(g => g.Count() > 1).Select(g => g.Key).ToList();

        Assert.Empty(duplicates);
    }

    [GeneratedRegex(@"^\d+[smhd]$")]
    private static partial Regex Duration();
}
