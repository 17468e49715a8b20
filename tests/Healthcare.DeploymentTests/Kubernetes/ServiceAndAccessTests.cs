using k8s.Models;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>Services, the Ingress, the namespace and RBAC (the Roles themselves: <see cref="AccessTests"/>).</summary>
public sealed class ServiceAndAccessTests
{
    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EveryServiceSelectsPodsThatServeItsPorts(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        foreach (var service in manifest.All<V1Service>())
        {
            var pods = manifest.Workloads().Where(w => w.LongRunning && Selectors.Matches(service.Spec.Selector, w.PodLabels)).ToList();
            Assert.True(pods.Count > 0, $"Service {service.Metadata.Name} selects no pods");
            foreach (var port in service.Spec.Ports)
            {
                var target = port.TargetPort?.Value ?? port.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Assert.All(pods, pod => Assert.True(
                    pod.Template.Spec.Containers.SelectMany(c => c.Ports ?? []).Any(p => p.Name == target || p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == target),
                    $"Service {service.Metadata.Name} port {port.Name} targets {target}, which {pod} does not serve"));
            }
        }

        var api = manifest.Get<V1Service>("api");
        Assert.Equal([(80, "http"), (9464, "metrics")], api.Spec.Ports.Select(p => (p.Port, p.TargetPort.Value)));
        Assert.Equal([(8089, "http")], manifest.Get<V1Service>("worker").Spec.Ports.Select(p => (p.Port, p.TargetPort.Value)));
        var apiPorts = manifest.Get<V1Deployment>("api").Spec.Template.Spec.Containers.Single().Ports.ToDictionary(p => p.Name, p => p.ContainerPort);
        Assert.Equal(8088, apiPorts["http"]);
        Assert.Equal(9464, apiPorts["metrics"]);
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void TheIngressServesTheApiOverTlsWithTheApisLimits(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var ingress = Assert.Single(manifest.All<V1Ingress>());
        Assert.Equal("nginx", ingress.Spec.IngressClassName);

        var rule = Assert.Single(ingress.Spec.Rules);
        var tls = Assert.Single(ingress.Spec.Tls);
        Assert.Equal([rule.Host], tls.Hosts);
        Assert.False(string.IsNullOrEmpty(tls.SecretName));
        var path = Assert.Single(rule.Http.Paths);
        Assert.Equal("api", path.Backend.Service.Name);
        Assert.Equal("http", path.Backend.Service.Port.Name);

        var annotations = ingress.Metadata.Annotations;
        Assert.Equal("true", annotations["nginx.ingress.kubernetes.io/force-ssl-redirect"]);
        // MAX_REQUEST_BODY_BYTES is 1 MiB; the API's REQUEST_TIMEOUT_SECONDS (30) answers before the proxy gives up.
        Assert.Equal("1m", annotations["nginx.ingress.kubernetes.io/proxy-body-size"]);
        Assert.True(int.Parse(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"], System.Globalization.CultureInfo.InvariantCulture) > 30);
        Assert.True(int.Parse(annotations["nginx.ingress.kubernetes.io/limit-rps"], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Contains("nginx.ingress.kubernetes.io/limit-connections", annotations.Keys);
        Assert.DoesNotContain(annotations.Keys, k => k.EndsWith("-snippet", StringComparison.Ordinal));

        // Nothing but the Ingress is reachable from outside the cluster.
        Assert.All(manifest.All<V1Service>(), s => Assert.True(s.Spec.Type is null or "ClusterIP", $"Service {s.Metadata.Name} is {s.Spec.Type}"));
    }

    [Fact]
    public void TheNamespaceEnforcesTheRestrictedPodSecurityStandard()
    {
        var ns = Assert.Single(Kustomize.NamespaceAndAccess.All<V1Namespace>());
        Assert.Equal("healthcare-backend", ns.Metadata.Name);
        Assert.Equal("restricted", ns.Metadata.Labels["pod-security.kubernetes.io/enforce"]);
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EachWorkloadHasItsOwnServiceAccountWithoutAToken(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var accounts = manifest.All<V1ServiceAccount>().ToDictionary(a => a.Metadata.Name);
        var used = new Dictionary<string, string>();
        foreach (var workload in manifest.Workloads())
        {
            var name = workload.Template.Spec.ServiceAccountName;
            Assert.False(string.IsNullOrEmpty(name), $"{workload} runs as the default ServiceAccount");
            Assert.True(accounts.TryGetValue(name, out var account), $"{workload}: ServiceAccount {name} does not exist");
            Assert.False(account!.AutomountServiceAccountToken ?? true, $"ServiceAccount {name} mounts a token");
            used[workload.Name] = name;
        }

        // The backend's processes do not share an identity.
        Assert.Equal(3, new[] { used["api"], used["worker"], used["migrate"] }.Distinct().Count());
        Assert.All(accounts.Keys, a => Assert.Contains(a, used.Values));
    }

    [Fact]
    public void RolesAreNamespacedReadMostlyAndNameTheSecretsTheyRead()
    {
        var manifest = Kustomize.NamespaceAndAccess;
        Assert.DoesNotContain(manifest.Objects, o => o.Kind is "ClusterRole" or "ClusterRoleBinding");
        Assert.All(manifest.Objects.Where(o => o.Kind != "Namespace"), o => Assert.Equal("healthcare-backend", o.Namespace));

        var roles = manifest.All<V1Role>();
        foreach (var rule in roles.SelectMany(r => r.Rules.Select(rule => (Role: r.Metadata.Name, Rule: rule))))
        {
            Assert.DoesNotContain("*", rule.Rule.Verbs);
            Assert.DoesNotContain("*", rule.Rule.Resources);
            Assert.DoesNotContain("*", rule.Rule.ApiGroups);
            if (rule.Rule.Resources.Contains("secrets"))
            {
                Assert.True(rule.Rule.ResourceNames is { Count: > 0 }, $"Role {rule.Role} reads Secrets without naming them");
                Assert.Equal(["get"], rule.Rule.Verbs);
            }
        }

        var metrics = roles.Single(r => r.Metadata.Name == "metrics-reader");
        Assert.All(metrics.Rules, r => Assert.Subset(new HashSet<string> { "get", "list", "watch" }, r.Verbs.ToHashSet()));
        Assert.DoesNotContain(metrics.Rules, r => r.Resources.Contains("secrets") || r.Resources.Contains("configmaps"));

        foreach (var binding in manifest.All<V1RoleBinding>())
        {
            Assert.Equal("Role", binding.RoleRef.Kind);
            Assert.Contains(roles, r => r.Metadata.Name == binding.RoleRef.Name);
        }

        Assert.Contains(manifest.All<V1RoleBinding>(), b => b.RoleRef.Name == "metrics-reader" && b.Subjects.Any(s => s.NamespaceProperty == "monitoring"));
    }
}
