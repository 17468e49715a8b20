using Healthcare.DeploymentTests.Monitoring;
using Healthcare.Testing;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>
/// The Prometheus queries the manifests depend on, read from the rendered autoscalers (HPA Pods and External metrics,
/// mapped back to their series through the prometheus-adapter rules; KEDA Prometheus queries) and the PrometheusRule.
/// <see cref="ScrapedMetricsTests"/> checks the series they name against a scrape of a running API and worker.
/// </summary>
public static class AppMetrics
{
    public const string AdapterValues = "devops/kubernetes/addons/prometheus-adapter-values.yaml";

    /// <summary>
    /// The queries the autoscalers of <paramref name="overlay"/> read, each with the Deployment whose pods must expose the
    /// series (Pods metrics are per pod of the scaled Deployment) or null when any scraped process may (External, KEDA).
    /// </summary>
    public static IReadOnlyList<AutoscalingQuery> UsedByAutoscaling(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var rules = AdapterRules();
        var queries = new List<AutoscalingQuery>();
        foreach (var hpa in manifest.All<V2HorizontalPodAutoscaler>())
        {
            foreach (var metric in hpa.Spec.Metrics)
            {
                var (name, perPod) = metric.Type switch
                {
                    "Pods" => (metric.Pods.Metric.Name, true),
                    "Object" => (metric.ObjectProperty.Metric.Name, false),
                    "External" => (metric.External.Metric.Name, false),
                    _ => (null, false),
                };
                if (name is null)
                {
                    continue;
                }

                var rule = rules.TryGetValue(name, out var found) ? found : throw new KeyNotFoundException($"no prometheus-adapter rule publishes {name}");
                queries.Add(new AutoscalingQuery($"HorizontalPodAutoscaler/{hpa.Metadata.Name} {metric.Type} metric {name} (adapter seriesQuery)",
                    rule.SeriesQuery, perPod ? hpa.Spec.ScaleTargetRef.Name : null));
            }
        }

        foreach (var scaledObject in manifest.OfKind("ScaledObject"))
        {
            queries.AddRange(KedaQueries(scaledObject).Select(q => new AutoscalingQuery($"{scaledObject.Id} trigger query", q, null)));
        }

        return queries;
    }

    /// <summary>The Prometheus queries of a KEDA ScaledObject's triggers.</summary>
    public static IEnumerable<string> KedaQueries(ManifestObject scaledObject) =>
        ((scaledObject.At("spec.triggers") as YamlSequenceNode)?.Children ?? [])
            .OfType<YamlMappingNode>()
            .Where(t => (t.Children[new YamlScalarNode("type")] as YamlScalarNode)?.Value == "prometheus")
            .Select(t => ((YamlScalarNode)((YamlMappingNode)t.Children[new YamlScalarNode("metadata")]).Children[new YamlScalarNode("query")]).Value!);

    /// <summary>The rules of a PrometheusRule: alert (or recording rule) name, expression, for, labels and annotations.</summary>
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
                yield return new AlertRule(Text("alert") ?? "", Text("expr") ?? "", Text("for"), Map("labels"), Map("annotations"), Text("record"));
            }
        }
    }

    /// <summary>prometheus-adapter's rules: published metric name to its source series, kind (custom or external) and queries.</summary>
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
                var seriesQuery = ((YamlScalarNode)rule.Children[new YamlScalarNode("seriesQuery")]).Value!;
                var name = (YamlMappingNode)rule.Children[new YamlScalarNode("name")];
                var published = ((YamlScalarNode)name.Children[new YamlScalarNode("as")]).Value!;
                var query = ((YamlScalarNode)rule.Children[new YamlScalarNode("metricsQuery")]).Value!;
                result.Add(published, new AdapterRule(kind, PromQl.MetricNames(seriesQuery).Single(), seriesQuery, query));
            }
        }

        return result;
    }
}

/// <summary>A query an autoscaler depends on; <paramref name="ExposedBy"/> names the Deployment whose pods must expose it, if any.</summary>
public sealed record AutoscalingQuery(string Where, string Query, string? ExposedBy);

public sealed record AdapterRule(string Kind, string Series, string SeriesQuery, string Query);

public sealed record AlertRule(string Name, string Expr, string? For, IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations, string? Record = null);
