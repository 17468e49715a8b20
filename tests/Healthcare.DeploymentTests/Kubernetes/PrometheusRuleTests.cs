using Healthcare.DeploymentTests.Monitoring;
using Healthcare.DeploymentTests.Scripts;
using YamlDotNet.RepresentationModel;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>
/// The PrometheusRule that the overlays apply carries exactly the groups of devops/monitoring/alert-rules.yml (the rules
/// promtool checks and unit-tests), and base/prometheus-rule.yaml is what devops/scripts/monitoring/prometheus-rule.sh
/// generates from that file.
/// </summary>
public sealed class PrometheusRuleTests
{
    private const string Generator = "devops/scripts/monitoring/prometheus-rule.sh";

    [Theory]
    [InlineData("staging")]
    [InlineData("production")]
    public void TheAppliedPrometheusRuleCarriesExactlyTheGroupsOfAlertRulesYml(string overlay)
    {
        var source = SourceGroups();
        var applied = Kustomize.Overlay(overlay).Require("PrometheusRule", "healthcare-backend").At("spec.groups");
        Assert.NotNull(applied);

        // First the readable outline (group and alert names, severities), then every field of every rule.
        Assert.Equal(Outline(source), Outline(applied));
        Assert.Empty(Differences(source, applied, "groups"));
    }

    [Fact]
    public async Task TheCommittedFileIsWhatTheGeneratorWrites()
    {
        var check = await Script.RunAsync(Generator, ["--check"]);
        Assert.True(check.ExitCode == 0, check.ToString());
    }

    [Fact]
    public void TheComparisonFindsAChangedExpressionDurationLabelOrAnnotation()
    {
        // The control for the test above: a change to any field of one rule is reported with its place.
        var source = SourceGroups();
        Assert.Empty(Differences(source, SourceGroups(), "groups"));

        foreach (var (field, change) in new (string, Action<YamlMappingNode>)[]
        {
            ("expr", rule => rule.Children[new YamlScalarNode("expr")] = new YamlScalarNode("vector(1)")),
            ("for", rule => rule.Children[new YamlScalarNode("for")] = new YamlScalarNode("1h")),
            ("labels", rule => ((YamlMappingNode)rule.Children[new YamlScalarNode("labels")]).Children[new YamlScalarNode("severity")] = new YamlScalarNode("info")),
            ("annotations", rule => ((YamlMappingNode)rule.Children[new YamlScalarNode("annotations")]).Children.Remove(new YamlScalarNode("runbook_url"))),
        })
        {
            var changed = SourceGroups();
            change(MonitoringFiles.Sequence(changed.Children[^1], "rules").Last());
            var difference = Assert.Single(Differences(source, changed, "groups"));
            Assert.Contains(field, difference, StringComparison.Ordinal);
        }
    }

    /// <summary>The groups of alert-rules.yml, freshly read.</summary>
    private static YamlSequenceNode SourceGroups() =>
        (YamlSequenceNode)MonitoringFiles.LoadYaml(MonitoringFiles.PathOf(MonitoringFiles.AlertRules)).Children[new YamlScalarNode("groups")];

    private static List<string> Outline(YamlNode groups) =>
        ((YamlSequenceNode)groups).Children
            .SelectMany(group => MonitoringFiles.Sequence(group, "rules").Select(rule =>
                $"{MonitoringFiles.Scalar(group, "name")}: {MonitoringFiles.Scalar(rule, "alert") ?? MonitoringFiles.Scalar(rule, "record")} " +
                $"{MonitoringFiles.StringMap(rule, "labels").GetValueOrDefault("severity")}"))
            .ToList();

    /// <summary>
    /// Where two YAML trees differ: mappings by key (order ignored), sequences by position, scalars by value (so quoting and
    /// block style, which kustomize may change, do not count). Each difference is given with its path.
    /// </summary>
    private static List<string> Differences(YamlNode expected, YamlNode actual, string path)
    {
        switch (expected, actual)
        {
            case (YamlScalarNode x, YamlScalarNode y):
                return x.Value == y.Value ? [] : [$"{path}: '{y.Value}' instead of '{x.Value}'"];
            case (YamlSequenceNode x, YamlSequenceNode y):
                var items = new List<string>();
                for (var i = 0; i < Math.Max(x.Children.Count, y.Children.Count); i++)
                {
                    items.AddRange(i >= y.Children.Count ? [$"{path}[{i}]: missing"]
                        : i >= x.Children.Count ? [$"{path}[{i}]: not in alert-rules.yml"]
                        : Differences(x.Children[i], y.Children[i], $"{path}[{i}]"));
                }

                return items;
            case (YamlMappingNode x, YamlMappingNode y):
                var fields = new List<string>();
                foreach (var key in x.Children.Keys.Concat(y.Children.Keys).Cast<YamlScalarNode>().Select(k => k.Value!).Distinct())
                {
                    var name = new YamlScalarNode(key);
                    fields.AddRange(!y.Children.TryGetValue(name, out var value) ? [$"{path}.{key}: missing"]
                        : !x.Children.TryGetValue(name, out var wanted) ? [$"{path}.{key}: not in alert-rules.yml"]
                        : Differences(wanted, value, $"{path}.{key}"));
                }

                return fields;
            default:
                return [$"{path}: a {actual.NodeType} instead of a {expected.NodeType}"];
        }
    }
}
