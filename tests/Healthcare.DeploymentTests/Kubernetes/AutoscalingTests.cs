using k8s.Models;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>Autoscaler bounds match the runbook's table; Redis is never autoscaled; prometheus-adapter publishes what the HPAs read.</summary>
public sealed class AutoscalingTests
{
    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void PodCountsMatchTheRunbook(string overlay)
    {
        var row = RunbookTables.Table("Sizes").Single(r => r["Overlay"] == overlay);
        var manifest = Kustomize.Overlay(overlay);

        Assert.Equal(RunbookTables.Range(row["API pods"]), Bounds(manifest, "api"));
        Assert.Equal(RunbookTables.Range(row["Worker pods"]), Bounds(manifest, "worker"));

        var redis = manifest.All<V1StatefulSet>().Single(s => s.Metadata.Name.StartsWith("redis", StringComparison.Ordinal));
        Assert.Equal(RunbookTables.Range(row["Redis pods"]).Min, redis.Spec.Replicas);

        var postgres = RunbookTables.Range(row["PostgreSQL instances"]).Min;
        var cluster = manifest.OfKind("Cluster").SingleOrDefault();
        Assert.Equal(postgres, cluster is null ? manifest.Get<V1StatefulSet>("postgres").Spec.Replicas : int.Parse(cluster.Scalar("spec.instances")!, System.Globalization.CultureInfo.InvariantCulture));

        // "rw + ro" PgBouncer pods, or "-" without poolers.
        var poolers = manifest.OfKind("Pooler").OrderByDescending(p => p.Scalar("spec.type"), StringComparer.Ordinal).Select(p => p.Scalar("spec.instances") ?? "1");
        Assert.Equal(row["PgBouncer pods (rw + ro)"], manifest.OfKind("Pooler").Any() ? string.Join(" + ", poolers) : "-");
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EachWorkloadHasAtMostOneAutoscalerAndStatefulSetsNone(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var targets = manifest.All<V2HorizontalPodAutoscaler>().Select(h => (h.Spec.ScaleTargetRef.Kind, h.Spec.ScaleTargetRef.Name))
            .Concat(manifest.OfKind("ScaledObject").Select(s => (s.Scalar("spec.scaleTargetRef.kind") ?? "Deployment", s.Scalar("spec.scaleTargetRef.name")!)))
            .ToList();

        Assert.Equal(targets.Count, targets.Distinct().Count());
        Assert.All(targets, t => Assert.Equal("Deployment", t.Item1));
        Assert.All(targets, t => Assert.Contains(manifest.All<V1Deployment>(), d => d.Metadata.Name == t.Item2));
        // A Deployment under an autoscaler leaves replicas to it, so an apply never resets the count.
        Assert.All(targets, t => Assert.Null(manifest.Get<V1Deployment>(t.Item2).Spec.Replicas));
    }

    [Theory]
    [InlineData("staging")]
    [InlineData("production")]
    public void TheApiScalesOnCpuAndRequestsPerSecondAndSlowsItsScaleDown(string overlay)
    {
        var hpa = Kustomize.Overlay(overlay).Get<V2HorizontalPodAutoscaler>("api");

        var cpu = Assert.Single(hpa.Spec.Metrics, m => m.Type == "Resource");
        Assert.Equal("cpu", cpu.Resource.Name);
        Assert.Equal(70, cpu.Resource.Target.AverageUtilization);

        var rps = Assert.Single(hpa.Spec.Metrics, m => m.Type == "Pods");
        Assert.Equal("http_requests_per_second", rps.Pods.Metric.Name);
        Assert.Equal("AverageValue", rps.Pods.Target.Type);
        Assert.Equal(1000m, rps.Pods.Target.AverageValue.ToDecimal());

        Assert.True(hpa.Spec.Behavior.ScaleDown.StabilizationWindowSeconds >= 300);
    }

    [Theory]
    [InlineData("staging")]
    [InlineData("production")]
    public void TheWorkerScalesOnQueueDepthThroughKeda(string overlay)
    {
        var scaledObject = Kustomize.Overlay(overlay).Require("ScaledObject", "worker");
        Assert.Equal("worker", scaledObject.Scalar("spec.scaleTargetRef.name"));
        Assert.NotNull(scaledObject.Scalar("spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds"));
        var queries = AppMetrics.KedaQueries(scaledObject).ToList();
        Assert.NotEmpty(queries);
        Assert.All(queries, q => Assert.Contains("healthcare_queue_depth", q, StringComparison.Ordinal));
        // Every worker reports the same queue: summing over pods would multiply it by the number of workers.
        Assert.All(queries, q => Assert.StartsWith("max(", q, StringComparison.Ordinal));
    }

    [Fact]
    public void TheLocalOverlayHasNoAutoscalers()
    {
        // What the staging and production autoscalers read is checked against a real scrape (ScrapedMetricsTests).
        Assert.Empty(AppMetrics.UsedByAutoscaling("local"));
        Assert.NotEmpty(AppMetrics.UsedByAutoscaling("staging"));
    }

    [Fact]
    public void ThePrometheusAdapterServesTheMetricsTheApiAutoscalerReads()
    {
        var rules = AppMetrics.AdapterRules();
        Assert.Equal("http_server_request_duration_seconds_count", rules["http_requests_per_second"].Series);
        Assert.Equal("custom", rules["http_requests_per_second"].Kind);
        Assert.Contains("rate(", rules["http_requests_per_second"].Query, StringComparison.Ordinal);
        Assert.Equal("healthcare_active_appointments", rules["healthcare_active_appointments"].Series);
        Assert.Equal("external", rules["healthcare_active_appointments"].Kind);

        // Every Pods or External metric of an HPA has an adapter rule of the right kind.
        foreach (var overlay in Kustomize.Overlays)
        {
            foreach (var metric in Kustomize.Overlay(overlay).All<V2HorizontalPodAutoscaler>().SelectMany(h => h.Spec.Metrics))
            {
                switch (metric.Type)
                {
                    case "Pods":
                        Assert.Equal("custom", rules[metric.Pods.Metric.Name].Kind);
                        break;
                    case "External":
                        Assert.Equal("external", rules[metric.External.Metric.Name].Kind);
                        break;
                    case "Resource":
                        break;
                    default:
                        Assert.Fail($"{overlay}: unexpected HPA metric type {metric.Type}");
                        break;
                }
            }
        }
    }

    private static (int Min, int Max) Bounds(Manifest manifest, string deployment)
    {
        var hpa = manifest.All<V2HorizontalPodAutoscaler>().SingleOrDefault(h => h.Spec.ScaleTargetRef.Name == deployment);
        if (hpa is not null)
        {
            return (hpa.Spec.MinReplicas ?? 1, hpa.Spec.MaxReplicas);
        }

        var scaledObject = manifest.OfKind("ScaledObject").SingleOrDefault(s => s.Scalar("spec.scaleTargetRef.name") == deployment);
        if (scaledObject is not null)
        {
            return (int.Parse(scaledObject.Scalar("spec.minReplicaCount")!, System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(scaledObject.Scalar("spec.maxReplicaCount")!, System.Globalization.CultureInfo.InvariantCulture));
        }

        var replicas = manifest.Get<V1Deployment>(deployment).Spec.Replicas ?? 1;
        return (replicas, replicas);
    }
}
