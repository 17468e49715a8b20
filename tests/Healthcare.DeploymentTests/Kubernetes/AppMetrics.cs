using System.Text.RegularExpressions;
using Healthcare.Testing;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>
/// The Prometheus series the manifests expect the application's <c>/metrics</c> to expose, read from the rendered
/// autoscalers (HPA Pods and External metrics, mapped back to their series through the prometheus-adapter rules;
/// KEDA Prometheus queries) and alert rules. A test that scrapes a running API and worker can check these names.
/// </summary>
public static partial class AppMetrics
{
    public const string AdapterValues = "devops/kubernetes/addons/prometheus-adapter-values.yaml";

    /// <summary>Series the autoscalers of <paramref name="overlay"/> depend on.</summary>
    public static IReadOnlySet<string> UsedByAutoscaling(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var rules = AdapterRules();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var metric in manifest.All<V2HorizontalPodAutoscaler>().SelectMany(h => h.Spec.Metrics))
        {
            var name = metric.Type switch
            {
                "Pods" => metric.Pods.Metric.Name,
                "Object" => metric.ObjectProperty.Metric.Name,
                "External" => metric.External.Metric.Name,
                _ => null,
            };
            if (name is not null)
            {
                names.Add(rules.TryGetValue(name, out var rule) ? rule.Series : throw new KeyNotFoundException($"no prometheus-adapter rule publishes {name}"));
            }
        }

        foreach (var query in manifest.OfKind("ScaledObject").SelectMany(KedaQueries))
        {
            names.UnionWith(SeriesIn(query));
        }

        return names.Where(IsApplicationMetric).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Application series the alert rules of <paramref name="overlay"/> read.</summary>
    public static IReadOnlySet<string> UsedByAlerts(string overlay) =>
        Kustomize.Overlay(overlay).OfKind("PrometheusRule")
            .SelectMany(rule => AlertRules(rule))
            .SelectMany(r => SeriesIn(r.Expr))
            .Where(IsApplicationMetric)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The Prometheus queries of a KEDA ScaledObject's triggers.</summary>
    public static IEnumerable<string> KedaQueries(ManifestObject scaledObject) =>
        ((scaledObject.At("spec.triggers") as YamlSequenceNode)?.Children ?? [])
            .OfType<YamlMappingNode>()
            .Where(t => (t.Children[new YamlScalarNode("type")] as YamlScalarNode)?.Value == "prometheus")
            .Select(t => ((YamlScalarNode)((YamlMappingNode)t.Children[new YamlScalarNode("metadata")]).Children[new YamlScalarNode("query")]).Value!);

    /// <summary>The alerting rules of a PrometheusRule: name, expression, labels and annotations.</summary>
    public static IEnumerable<AlertRule> AlertRules(ManifestObject prometheusRule)
    {
        foreach (var group in ((prometheusRule.At("spec.groups") as YamlSequenceNode)?.Children ?? []).OfType<YamlMappingNode>())
        {
            foreach (var rule in ((group.Children[new YamlScalarNode("rules")] as YamlSequenceNode)?.Children ?? []).OfType<YamlMappingNode>())
            {
                string? Text(string key) => rule.Children.TryGetValue(new YamlScalarNode(key), out var v) ? (v as YamlScalarNode)?.Value : null;
                IReadOnlyDictionary<string, string> Map(string key) =>
                    rule.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlMappingNode m
                        ? m.Children.ToDictionary(p => ((YamlScalarNode)p.Key).Value!, p => ((YamlScalarNode)p.Value).Value ?? "", StringComparer.Ordinal)
                        : new Dictionary<string, string>();
                yield return new AlertRule(Text("alert") ?? "", Text("expr") ?? "", Text("for"), Map("labels"), Map("annotations"));
            }
        }
    }

    /// <summary>prometheus-adapter's rules: published metric name to its source series, kind (custom or external) and query.</summary>
    public static IReadOnlyDictionary<string, AdapterRule> AdapterRules()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(RepositoryPaths.Root, AdapterValues))));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        var rules = (YamlMappingNode)root.Children[new YamlScalarNode("rules")];
        var result = new Dictionary<string, AdapterRule>(StringComparer.Ordinal);
        foreach (var kind in new[] { "custom", "external" })
        {
            if (!rules.Children.TryGetValue(new YamlScalarNode(kind), out var list))
            {
                continue;
            }

            foreach (var rule in ((YamlSequenceNode)list).Children.OfType<YamlMappingNode>())
            {
                var series = SeriesIn(((YamlScalarNode)rule.Children[new YamlScalarNode("seriesQuery")]).Value!).Single();
                var name = (YamlMappingNode)rule.Children[new YamlScalarNode("name")];
                var published = ((YamlScalarNode)name.Children[new YamlScalarNode("as")]).Value!;
                var query = ((YamlScalarNode)rule.Children[new YamlScalarNode("metricsQuery")]).Value!;
                result.Add(published, new AdapterRule(kind, series, query));
            }
        }

        return result;
    }

    /// <summary>Metric names in a PromQL expression: identifiers followed by a label matcher or a range.</summary>
    public static IEnumerable<string> SeriesIn(string promql) => SeriesName().Matches(promql).Select(m => m.Groups[1].Value).Distinct();

    private static bool IsApplicationMetric(string name) =>
        name.StartsWith("healthcare_", StringComparison.Ordinal) || name.StartsWith("http_server_", StringComparison.Ordinal);

    [GeneratedRegex(@"([A-Za-z_:][A-Za-z0-9_:]*)\s*[{\[]")]
    private static partial Regex SeriesName();
}

public sealed record AdapterRule(string Kind, string Series, string Query);

public sealed record AlertRule(string Name, string Expr, string? For, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations);
