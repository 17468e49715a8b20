using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>
/// The VerticalPodAutoscalers (staging, production) only recommend, are valid for the official CRD, watch a workload of the
/// same overlay, and bound their recommendations by that workload's requests and limits.
/// </summary>
public sealed class VerticalPodAutoscalerTests
{
    public const string Crd = "tests/Healthcare.DeploymentTests/Crds/vpa-v1-crd-gen.yaml";

    private const string ApiVersion = "autoscaling.k8s.io/v1";

    private static readonly Lazy<CrdSchema> Schema = new(() => CrdSchema.Load(Crd, ApiVersion, "VerticalPodAutoscaler"));

    /// <summary>A bound may reach at most this many times the limit: beyond it a recommendation is no longer a resize.</summary>
    private const decimal MaxAllowedOverLimit = 4;

    public static TheoryData<string> OverlaysWithVpa => new("staging", "production");

    [Theory]
    [MemberData(nameof(OverlaysWithVpa))]
    public void EveryVerticalPodAutoscalerIsValidForTheOfficialCrd(string overlay)
    {
        var vpas = Kustomize.Overlay(overlay).OfKind("VerticalPodAutoscaler").ToList();

        Assert.Equal(["api", "redis-cluster", "worker"], vpas.Select(v => v.Name).Order(StringComparer.Ordinal));
        Assert.All(vpas, vpa => Assert.Equal(ApiVersion, vpa.ApiVersion));
        var errors = vpas.SelectMany(vpa => Schema.Value.Validate(vpa.Node).Select(e => $"{vpa.Id}: {e}")).ToList();
        Assert.Empty(errors);
    }

    [Fact]
    public void TheSchemaCheckRejectsWhatTheApiServerWould()
    {
        // The control for the test above: an unquoted Off is a YAML boolean, a misspelt field is unknown, a
        // quantity must be one, and targetRef needs a kind.
        const string Yaml = """
            apiVersion: autoscaling.k8s.io/v1
            kind: VerticalPodAutoscaler
            metadata:
              name: api
            spec:
              targetRef:
                name: api
              updatePolicy:
                updateMode: Off
                minReplica: 2
              resourcePolicy:
                containerPolicies:
                  - containerName: api
                    minAllowed:
                      cpu: lots
            """;
        var errors = Schema.Value.Validate(Manifest.Parse(Yaml, "inline").Require("VerticalPodAutoscaler", "api").Node);

        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("spec.updatePolicy.updateMode: must be a string, not the boolean Off", StringComparison.Ordinal));
        Assert.Contains("spec.updatePolicy.minReplica: unknown field", errors);
        Assert.Contains(errors, e => e.StartsWith("spec.resourcePolicy.containerPolicies[0].minAllowed.cpu: 'lots' does not match", StringComparison.Ordinal));
        Assert.Contains("spec.targetRef.kind: required", errors);

        var valid = Yaml.Replace("updateMode: Off", "updateMode: \"Off\"", StringComparison.Ordinal).Replace("minReplica:", "minReplicas:", StringComparison.Ordinal)
            .Replace("cpu: lots", "cpu: 100m", StringComparison.Ordinal).Replace("    name: api\n  updatePolicy", "    kind: Deployment\n    name: api\n  updatePolicy", StringComparison.Ordinal);
        Assert.Empty(Schema.Value.Validate(Manifest.Parse(valid, "inline").Require("VerticalPodAutoscaler", "api").Node));
    }

    [Theory]
    [MemberData(nameof(OverlaysWithVpa))]
    public void EachRecommendsOnlyForAWorkloadOfItsOverlayWithinThatWorkloadsSizes(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var targets = new List<string>();
        foreach (var vpa in manifest.OfKind("VerticalPodAutoscaler"))
        {
            Assert.Equal("Off", vpa.Scalar("spec.updatePolicy.updateMode"));
            Assert.Equal("apps/v1", vpa.Scalar("spec.targetRef.apiVersion"));
            var kind = vpa.Scalar("spec.targetRef.kind");
            var name = vpa.Scalar("spec.targetRef.name");
            var workload = manifest.Workloads().SingleOrDefault(w => w.Kind == kind && w.Name == name);
            Assert.True(workload is { LongRunning: true }, $"{vpa.Id} targets {kind}/{name}, which {overlay} does not run");
            targets.Add(workload!.ToString());

            var policies = ((YamlSequenceNode)vpa.At("spec.resourcePolicy.containerPolicies")!).Children.Cast<YamlMappingNode>()
                .Select(p => new ManifestObject("", "", "", null, "", p))
                .ToDictionary(p => p.Scalar("containerName")!, StringComparer.Ordinal);
            Assert.Equal(workload.Template.Spec.Containers.Select(c => c.Name).Order(StringComparer.Ordinal), policies.Keys.Order(StringComparer.Ordinal));
            foreach (var container in workload.Template.Spec.Containers)
            {
                var policy = policies[container.Name];
                foreach (var resource in new[] { "cpu", "memory" })
                {
                    var where = $"{overlay} {vpa.Id} {container.Name} {resource}";
                    var min = Amount(policy.Scalar($"minAllowed.{resource}"), where + " minAllowed");
                    var max = Amount(policy.Scalar($"maxAllowed.{resource}"), where + " maxAllowed");
                    var request = container.Resources.Requests[resource].ToDecimal();
                    var limit = container.Resources.Limits[resource].ToDecimal();
                    Assert.True(min <= request, $"{where}: minAllowed {min} is above the request {request}");
                    Assert.True(max >= limit, $"{where}: maxAllowed {max} is below the limit {limit}");
                    Assert.True(max <= limit * MaxAllowedOverLimit, $"{where}: maxAllowed {max} is more than {MaxAllowedOverLimit} times the limit {limit}");
                }
            }
        }

        Assert.Equal(["Deployment/api", "Deployment/worker", "StatefulSet/redis-cluster"], targets.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TheLocalOverlayHasNone() =>
        Assert.DoesNotContain(Kustomize.Overlay("local").Objects, o => o.Kind == "VerticalPodAutoscaler");

    private static decimal Amount(string? quantity, string what)
    {
        Assert.True(quantity is not null, $"{what} is not set");
        return new ResourceQuantity(quantity).ToDecimal();
    }
}
