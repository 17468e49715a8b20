using k8s.Models;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>Every overlay renders, and every object it renders is one the Kubernetes API would accept as written.</summary>
public sealed class RenderingTests
{
    private static readonly HashSet<string> KnownCustomResources =
    [
        "keda.sh/v1alpha1/ScaledObject",
        "monitoring.coreos.com/v1/ServiceMonitor",
        "monitoring.coreos.com/v1/PrometheusRule",
        "postgresql.cnpg.io/v1/Cluster",
        "postgresql.cnpg.io/v1/Pooler",
        "postgresql.cnpg.io/v1/ScheduledBackup",
        "autoscaling.k8s.io/v1/VerticalPodAutoscaler",
    ];

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void OverlayRendersIntoTheBackendNamespace(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);

        Assert.Contains(manifest.Objects, o => o is { Kind: "Deployment", Name: "api" });
        Assert.Contains(manifest.Objects, o => o is { Kind: "Deployment", Name: "worker" });
        Assert.Contains(manifest.Objects, o => o is { Kind: "Job", Name: "migrate" });
        Assert.All(
            manifest.Objects,
            o => Assert.True(o.Namespace == "healthcare-backend", $"{o.Id} is in namespace '{o.Namespace}'"));
        var duplicates = manifest.Objects.GroupBy(o => (o.ApiVersion, o.Kind, o.Name)).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.Empty(duplicates);
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EveryBuiltInObjectReadsStrictlyIntoTheKubernetesModels(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var failures = new List<string>();
        foreach (var item in manifest.Objects.Where(Manifest.IsBuiltIn))
        {
            try
            {
                Assert.NotNull(Manifest.ReadStrict(item));
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                failures.Add($"{item.Id}: {e.Message}");
            }
        }

        Assert.Empty(failures);
        var unknown = manifest.Objects.Where(o => !Manifest.IsBuiltIn(o) && !KnownCustomResources.Contains(o.ApiVersion + "/" + o.Kind)).ToList();
        Assert.Empty(unknown);
    }

    /// <summary>
    /// The fields each custom resource's CRD marks required (CloudNativePG 1.26+, KEDA 2, Prometheus Operator, VPA 1). The
    /// VerticalPodAutoscalers are also validated against their whole CRD schema (VerticalPodAutoscalerTests).
    /// </summary>
    private static readonly Dictionary<string, string[]> RequiredFields = new()
    {
        ["Cluster"] = ["spec.instances", "spec.storage.size"],
        ["ScheduledBackup"] = ["spec.cluster.name", "spec.schedule"],
        ["Pooler"] = ["spec.cluster.name", "spec.pgbouncer"],
        ["ScaledObject"] = ["spec.scaleTargetRef.name", "spec.triggers"],
        ["ServiceMonitor"] = ["spec.selector", "spec.endpoints"],
        ["PrometheusRule"] = ["spec.groups"],
        ["VerticalPodAutoscaler"] = ["spec.targetRef.kind", "spec.targetRef.name"],
    };

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EveryCustomResourceHasItsRequiredFields(string overlay)
    {
        foreach (var item in Kustomize.Overlay(overlay).Objects.Where(o => !Manifest.IsBuiltIn(o)))
        {
            Assert.True(RequiredFields.TryGetValue(item.Kind, out var required), $"{item.Id}: no required fields known");
            Assert.All(required, path => Assert.True(item.At(path) is not null, $"{item.Id} lacks {path}"));
        }

        foreach (var scaledObject in Kustomize.Overlay(overlay).OfKind("ScaledObject"))
        {
            var triggers = ((YamlDotNet.RepresentationModel.YamlSequenceNode)scaledObject.At("spec.triggers")!).Children.Cast<YamlDotNet.RepresentationModel.YamlMappingNode>().ToList();
            Assert.NotEmpty(triggers);
            Assert.All(triggers, t => Assert.True(t.Children.ContainsKey("type") && t.Children.ContainsKey("metadata"), $"{scaledObject.Id}: a trigger needs type and metadata"));
        }

        foreach (var rule in Kustomize.Overlay(overlay).OfKind("PrometheusRule").SelectMany(AppMetrics.AlertRules))
        {
            Assert.False(string.IsNullOrEmpty(rule.Expr), $"alert {rule.Name} has no expr");
        }
    }

    [Fact]
    public void StrictReadingRejectsAFieldKubernetesDoesNotKnow()
    {
        // The control for the test above: a misspelt field must fail, not vanish.
        const string Yaml = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: api
            spec:
              replicas: 1
              selector:
                matchLabels:
                  app: api
              template:
                metadata:
                  labels:
                    app: api
                spec:
                  containers:
                    - name: api
                      image: healthcare-backend:1.0.0
                      readinesProbe:
                        httpGet:
                          path: /health/ready
                          port: 8088
            """;
        var manifest = Manifest.Parse(Yaml, "inline");
        Assert.ThrowsAny<Exception>(() => Manifest.ReadStrict(manifest.Require("Deployment", "api")));

        var valid = Manifest.Parse(Yaml.Replace("readinesProbe", "readinessProbe", StringComparison.Ordinal), "inline");
        var deployment = Assert.IsType<V1Deployment>(Manifest.ReadStrict(valid.Require("Deployment", "api")));
        Assert.Equal("/health/ready", deployment.Spec.Template.Spec.Containers[0].ReadinessProbe.HttpGet.Path);
    }
}
