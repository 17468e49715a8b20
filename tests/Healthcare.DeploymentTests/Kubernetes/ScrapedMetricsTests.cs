using System.Text.RegularExpressions;
using Healthcare.DeploymentTests.Monitoring;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>
/// Every series the Kubernetes autoscalers (prometheus-adapter rules behind the HPAs, KEDA's queries) and the
/// PrometheusRule read is in a real scrape of a running API and worker: same metric name, the labels they match on,
/// and values of closed label sets (such as queue="critical") that occur. A renamed metric would otherwise leave an
/// autoscaler holding its size and an alert silent, with no error anywhere.
/// </summary>
[Collection(SharedMonitoredBackend.Name)]
public sealed partial class ScrapedMetricsTests(MonitoredBackend backend)
{
    /// <summary>Labels Prometheus adds to every scraped series in Kubernetes (target and ServiceMonitor labels).</summary>
    private static readonly HashSet<string> TargetLabels = ["job", "instance", "namespace", "pod", "service", "container", "endpoint"];

    /// <summary>Labels whose values are a small fixed set, so a value the backend never produces is a mistake.</summary>
    private static readonly HashSet<string> ClosedSetLabels = ["db_client_connection_state", "queue", "outcome", "channel"];

    [Theory]
    [InlineData("staging")]
    [InlineData("production")]
    public void TheAutoscalersReadOnlySeriesTheApplicationExposes(string overlay)
    {
        var queries = AppMetrics.UsedByAutoscaling(overlay);

        // The API's requests-per-second Pods metric and the worker's queue depth are among them.
        Assert.Contains(queries, q => q.ExposedBy == "api");
        Assert.Contains(queries, q => q.Where.StartsWith("ScaledObject/worker", StringComparison.Ordinal));
        var problems = queries.SelectMany(q => Problems(q.Where, q.Query, q.ExposedBy, allowExternal: false)).ToList();
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void EveryPrometheusAdapterRuleReadsAnExposedSeriesWithTheLabelsItGroupsBy()
    {
        var rules = AppMetrics.AdapterRules();
        Assert.NotEmpty(rules);
        var problems = new List<string>();
        foreach (var (published, rule) in rules)
        {
            var where = $"{AppMetrics.AdapterValues}: rule for {published}";
            problems.AddRange(Problems($"{where} seriesQuery", rule.SeriesQuery, null, allowExternal: false));
            if (backend.Exposed.TryGetValue(rule.Series, out var labels))
            {
                problems.AddRange(GroupedBy().Matches(rule.Query)
                    .SelectMany(m => m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    .Where(label => !TargetLabels.Contains(label) && !labels.ContainsKey(label))
                    .Select(label => $"{where} metricsQuery: {rule.Series} has no label {label} (it has {string.Join(", ", labels.Keys)})"));
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Theory]
    [InlineData("staging")]
    [InlineData("production")]
    public void ThePrometheusRuleReadsOnlyExposedSeriesOrOnesOfOtherExporters(string overlay)
    {
        var rules = AppMetrics.AlertRules(Kustomize.Overlay(overlay).Require("PrometheusRule", "healthcare-backend")).ToList();
        var recorded = rules.Where(r => r.Record is not null).Select(r => r.Record!).ToHashSet(StringComparer.Ordinal);
        var read = rules.SelectMany(r => PromQl.MetricNames(r.Expr)).ToHashSet(StringComparer.Ordinal);

        // The API's request histogram and the worker's queue gauges are checked, not only other exporters' series.
        Assert.Superset(new HashSet<string>(StringComparer.Ordinal) { "http_server_request_duration_seconds_count", "healthcare_queue_depth", "healthcare_queue_failed" }, read);
        var problems = rules.SelectMany(r => Problems($"alert {r.Name}", r.Expr, null, allowExternal: true, recorded)).ToList();
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void TheCheckRejectsAnUnknownMetricLabelOrQueue()
    {
        // The control for the tests above: each kind of mistake is reported, none passes.
        Assert.Empty(Problems("control", "max(healthcare_queue_depth{queue=\"critical\"})", "worker", allowExternal: false));
        Assert.Single(Problems("control", "max(healthcare_queue_depths{queue=\"critical\"})", "worker", allowExternal: false));
        Assert.Single(Problems("control", "max(healthcare_queue_depth{queue=\"urgent\"})", "worker", allowExternal: false));
        Assert.Single(Problems("control", "max(healthcare_queue_depth{priority=\"high\"})", "worker", allowExternal: false));
        Assert.Single(Problems("control", "sum(rate(healthcare_logins_failed_total[5m]))", "worker", allowExternal: false));
        Assert.Single(Problems("control", "sum(rate(healthcare_job_duration_seconds_count{job=\"api\"}[5m]))", null, allowExternal: false));
        Assert.Single(Problems("control", "absent(up{job=\"api\"})", null, allowExternal: false));
        Assert.Empty(Problems("control", "absent(up{job=\"api\"})", null, allowExternal: true));
    }

    /// <summary>
    /// What in <paramref name="query"/> the scrape does not show: a metric no process exposes (or not the one whose pods
    /// must, <paramref name="exposedBy"/>), a label it lacks, a job="..." that does not expose it, a closed-set value it
    /// never takes. Series of other exporters (external-metrics.txt) pass when <paramref name="allowExternal"/>.
    /// </summary>
    private List<string> Problems(string where, string query, string? exposedBy, bool allowExternal, HashSet<string>? recorded = null)
    {
        var external = MonitoringFiles.ExternalSeries();
        var problems = new List<string>();
        var selectors = PromQl.Selectors(query).Where(s => s.Metric.Length > 0 && recorded?.Contains(s.Metric) != true).ToList();
        if (selectors.Count == 0)
        {
            problems.Add($"{where}: no series in {query}");
        }

        foreach (var selector in selectors)
        {
            if (allowExternal && external.ContainsKey(selector.Metric))
            {
                continue;
            }

            var exposed = exposedBy is null ? backend.Exposed : backend.ExposedBy(exposedBy);
            if (!exposed.TryGetValue(selector.Metric, out var labels))
            {
                problems.Add($"{where}: {selector.Metric} is not in the scrape of {exposedBy ?? "the API or the worker"}");
                continue;
            }

            foreach (var matcher in selector.Matchers)
            {
                if (matcher.Label == "job" && matcher.Operator == "=")
                {
                    if (!backend.ExposedBy(matcher.Value).ContainsKey(selector.Metric))
                    {
                        problems.Add($"{where}: {selector.Metric} is not exposed by the {matcher.Value} job");
                    }
                }
                else if (TargetLabels.Contains(matcher.Label))
                {
                    continue;
                }
                else if (!labels.TryGetValue(matcher.Label, out var values))
                {
                    problems.Add($"{where}: {selector.Metric} has no label {matcher.Label} (it has {string.Join(", ", labels.Keys)})");
                }
                else if (ClosedSetLabels.Contains(matcher.Label) && matcher.Operator == "=" && !values.Contains(matcher.Value))
                {
                    problems.Add($"{where}: {selector.Metric} never has {matcher.Label}=\"{matcher.Value}\" (seen: {string.Join(", ", values)})");
                }
            }
        }

        return problems;
    }

    /// <summary>A literal label list of an aggregation ("by (namespace, clinic_id)"), not a template such as &lt;&lt;.GroupBy&gt;&gt;.</summary>
    [GeneratedRegex(@"\bby\s*\(([A-Za-z0-9_,\s]+)\)")]
    private static partial Regex GroupedBy();
}
