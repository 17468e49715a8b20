using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Healthcare.DeploymentTests.Monitoring;

/// <summary>The ops kit in devops/monitoring: alert rules, their unit tests, the dashboard and the list of external series.</summary>
public static class MonitoringFiles
{
    public const string AlertRules = "alert-rules.yml";
    public const string Dashboard = "grafana/healthcare-backend.json";
    public const string RunbookPath = "docs/operations/monitoring.md";

    /// <summary>Grafana variables replaced by what Grafana would send, so that the queries are plain PromQL.</summary>
    public static readonly IReadOnlyDictionary<string, string> DashboardVariables = new Dictionary<string, string>
    {
        ["$__rate_interval"] = "1m",
        ["$namespace"] = ".*",
    };

    public static string PathOf(string file) => Tool.DevopsPath(["monitoring", .. file.Split('/')]);

    public sealed record Rule(string Group, string? Alert, string? Record, string Expr, string? For, IReadOnlyDictionary<string, string> Labels,
        IReadOnlyDictionary<string, string> Annotations);

    public sealed record Panel(int Id, string Type, string Title, JsonElement Json);

    public sealed record Query(string PanelTitle, string RefId, string Expr);

    public static IReadOnlyList<Rule> Rules(string file = AlertRules)
    {
        var root = LoadYaml(PathOf(file));
        var rules = new List<Rule>();
        foreach (var group in Sequence(root, "groups"))
        {
            var name = Scalar(group, "name")!;
            foreach (var rule in Sequence(group, "rules"))
            {
                rules.Add(new Rule(name, Scalar(rule, "alert"), Scalar(rule, "record"), Scalar(rule, "expr")!, Scalar(rule, "for"),
                    StringMap(rule, "labels"), StringMap(rule, "annotations")));
            }
        }

        return rules;
    }

    /// <summary>Each alert_rule_test of a promtool test file: the alert, and the severities expected to fire (none: silent).</summary>
    public static IReadOnlyList<(string Test, string Alert, IReadOnlyList<string> FiringSeverities)> AlertTests(string file)
    {
        var root = LoadYaml(PathOf(file));
        var cases = new List<(string, string, IReadOnlyList<string>)>();
        foreach (var test in Sequence(root, "tests"))
        {
            foreach (var check in Sequence(test, "alert_rule_test"))
            {
                var severities = Sequence(check, "exp_alerts").Select(a => StringMap(a, "exp_labels").GetValueOrDefault("severity") ?? "").ToList();
                cases.Add((Scalar(test, "name")!, Scalar(check, "alertname")!, severities));
            }
        }

        return cases;
    }

    public static JsonDocument LoadDashboard() => JsonDocument.Parse(File.ReadAllText(PathOf(Dashboard)));

    /// <summary>Every panel, rows' nested panels included.</summary>
    public static IReadOnlyList<Panel> Panels(JsonDocument dashboard)
    {
        var panels = new List<Panel>();
        void Add(JsonElement list)
        {
            foreach (var panel in list.EnumerateArray())
            {
                panels.Add(new Panel(panel.GetProperty("id").GetInt32(), panel.GetProperty("type").GetString()!,
                    panel.TryGetProperty("title", out var title) ? title.GetString() ?? "" : "", panel));
                if (panel.TryGetProperty("panels", out var nested))
                {
                    Add(nested);
                }
            }
        }

        Add(dashboard.RootElement.GetProperty("panels"));
        return panels;
    }

    /// <summary>Every query of the dashboard, with the Grafana variables replaced.</summary>
    public static IReadOnlyList<Query> DashboardQueries(JsonDocument dashboard) =>
        Panels(dashboard)
            .Where(p => p.Json.TryGetProperty("targets", out _))
            .SelectMany(p => p.Json.GetProperty("targets").EnumerateArray().Select(t => new Query(
                p.Title, t.GetProperty("refId").GetString()!, Resolve(t.GetProperty("expr").GetString()!))))
            .ToList();

    /// <summary>The alert and dashboard expressions, each with where it comes from.</summary>
    public static IReadOnlyList<(string Where, string Expr)> AllExpressions()
    {
        using var dashboard = LoadDashboard();
        return
        [
            .. Rules().Select(r => ($"{AlertRules}: {r.Alert ?? r.Record}", r.Expr)),
            .. DashboardQueries(dashboard).Select(q => ($"{Dashboard}: panel '{q.PanelTitle}' query {q.RefId}", q.Expr)),
        ];
    }

    public sealed record ExternalSeriesEntry(IReadOnlySet<string> Labels, string Source);

    /// <summary>external-metrics.txt: metric name to the labels the files may select on and where the series comes from.</summary>
    public static IReadOnlyDictionary<string, ExternalSeriesEntry> ExternalSeries() =>
        File.ReadAllLines(PathOf("external-metrics.txt"))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(parts => parts[0], parts => new ExternalSeriesEntry(parts[1].Split(',').ToHashSet(), parts[2].TrimEnd(':')));

    public static string Resolve(string expr) =>
        DashboardVariables.Aggregate(expr, (text, variable) => text.Replace(variable.Key, variable.Value, StringComparison.Ordinal));

    public static YamlMappingNode LoadYaml(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }

        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    public static IEnumerable<YamlMappingNode> Sequence(YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlSequenceNode list
            ? list.Children.Cast<YamlMappingNode>()
            : [];

    public static string? Scalar(YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? (value as YamlScalarNode)?.Value : null;

    public static IReadOnlyDictionary<string, string> StringMap(YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlMappingNode inner
            ? inner.Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value ?? "")
            : new Dictionary<string, string>();
}
