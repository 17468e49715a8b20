using k8s.Models;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>Default deny, and for each workload the few peers it may talk to.</summary>
public sealed class NetworkPolicyTests
{
    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EverythingIsDeniedUnlessAllowed(string overlay)
    {
        var policies = Kustomize.Overlay(overlay).All<V1NetworkPolicy>();
        var deny = Assert.Single(policies, p => p.Metadata.Name == "default-deny");
        Assert.True(Selectors.IsEmpty(deny.Spec.PodSelector));
        Assert.Equal(["Ingress", "Egress"], deny.Spec.PolicyTypes.Order(StringComparer.Ordinal).Reverse());
        Assert.True(deny.Spec.Ingress is null or { Count: 0 });
        Assert.True(deny.Spec.Egress is null or { Count: 0 });

        // The only other namespace-wide policy is name resolution.
        var namespaceWide = policies.Where(p => Selectors.IsEmpty(p.Spec.PodSelector) && p != deny).ToList();
        var dns = Assert.Single(namespaceWide);
        Assert.Null(dns.Spec.Ingress);
        Assert.All(dns.Spec.Egress, rule => Assert.All(rule.Ports, port => Assert.Equal(53, port.Port.ToInt())));
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EveryPodIsSelectedByItsOwnPolicyAndEveryPolicySelectsPods(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var policies = manifest.All<V1NetworkPolicy>().Where(p => !Selectors.IsEmpty(p.Spec.PodSelector)).ToList();
        var pods = manifest.Workloads().Select(w => (Name: w.ToString(), Labels: w.PodLabels)).ToList();
        // CloudNativePG's instance pods carry the cnpg.io/cluster label of their Cluster.
        pods.AddRange(manifest.OfKind("Cluster").Select(c => (Name: c.Id, Labels: (IDictionary<string, string>)new Dictionary<string, string> { ["cnpg.io/cluster"] = c.Name })));
        // A Pooler's PgBouncer pods carry its template's labels and cnpg.io/poolerName.
        pods.AddRange(manifest.OfKind("Pooler").Select(p => (Name: p.Id, Labels: PoolerPodLabels(p))));

        Assert.All(pods, pod => Assert.True(policies.Any(p => Selectors.Matches(p.Spec.PodSelector, pod.Labels)), $"{pod.Name}: no NetworkPolicy selects its pods"));
        Assert.All(policies, policy => Assert.True(pods.Any(pod => Selectors.Matches(policy.Spec.PodSelector, pod.Labels)), $"NetworkPolicy {policy.Metadata.Name} selects no pod"));
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void TheApiTakesTrafficOnlyFromTheIngressControllerAndMetricsScrapes(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var apiLabels = manifest.Get<V1Deployment>("api").Spec.Template.Metadata.Labels;
        var rules = IngressRulesFor(manifest, apiLabels).ToList();

        Assert.Equal(2, rules.Count);
        var http = Assert.Single(rules, r => r.Ports.Any(p => p.Port.ToInt() == 8088));
        var peer = Assert.Single(http.FromProperty);
        Assert.Equal("ingress-nginx", peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
        Assert.Equal(8088, Assert.Single(http.Ports).Port.ToInt());

        var metrics = Assert.Single(rules, r => r.Ports.Any(p => p.Port.ToInt() == 9464));
        Assert.Equal("monitoring", Assert.Single(metrics.FromProperty).NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
        Assert.Equal(9464, Assert.Single(metrics.Ports).Port.ToInt());
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void ThePostgreSqlPodsAcceptOnlyTheBackendsWorkloads(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var databasePods = DatabasePodLabels(manifest);
        // With CloudNativePG, also its PgBouncer pods (the Poolers).
        var allowed = new HashSet<string> { "api", "worker", "migrate", "backup" };
        if (manifest.OfKind("Pooler").Any())
        {
            allowed.Add("postgres-pooler");
        }
        foreach (var labels in databasePods)
        {
            foreach (var rule in IngressRulesFor(manifest, labels).Where(r => r.Ports.Any(p => p.Port.ToInt() == 5432)))
            {
                foreach (var peer in rule.FromProperty)
                {
                    if (peer.NamespaceSelector is not null)
                    {
                        // Only the CloudNativePG operator comes from another namespace.
                        Assert.Equal("cnpg-system", peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"]);
                        continue;
                    }

                    Assert.Null(peer.IpBlock);
                    var name = peer.PodSelector.MatchLabels.TryGetValue("app.kubernetes.io/name", out var n) ? n : null;
                    Assert.True(
                        (name is not null && allowed.Contains(name)) || peer.PodSelector.MatchLabels.ContainsKey("cnpg.io/cluster"),
                        $"PostgreSQL admits pods selected by {string.Join(",", peer.PodSelector.MatchLabels.Select(p => p.Key + "=" + p.Value))}");
                }
            }
        }

        // And the API, the worker and the migrator can reach it.
        foreach (var client in new[] { "api", "worker", "migrate" })
        {
            var clientLabels = manifest.Workloads().Single(w => w.Name == client).PodLabels;
            Assert.True(
                databasePods.Any(db => EgressAllowed(manifest, clientLabels, db, 5432) && IngressAllowed(manifest, db, clientLabels, 5432)),
                $"{client} cannot reach PostgreSQL on 5432");
        }
    }

    [Theory]
    [InlineData("staging")]
    [InlineData("production")]
    public void TheApiAndTheWorkerReachThePoolersAndThePoolersReachTheInstances(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var poolers = manifest.OfKind("Pooler").ToList();
        Assert.Equal(2, poolers.Count);
        var instances = DatabasePodLabels(manifest);
        foreach (var pooler in poolers.Select(PoolerPodLabels))
        {
            foreach (var client in new[] { "api", "worker" })
            {
                var labels = manifest.Workloads().Single(w => w.Name == client).PodLabels;
                Assert.True(EgressAllowed(manifest, labels, pooler, 5432) && IngressAllowed(manifest, pooler, labels, 5432), $"{client} cannot reach {pooler["cnpg.io/poolerName"]}");
            }

            Assert.True(instances.Any(db => EgressAllowed(manifest, pooler, db, 5432) && IngressAllowed(manifest, db, pooler, 5432)), $"{pooler["cnpg.io/poolerName"]} cannot reach PostgreSQL");
            var migrate = manifest.Workloads().Single(w => w.Name == "migrate").PodLabels;
            Assert.False(IngressAllowed(manifest, pooler, migrate, 5432), "the migrator connects directly, not through a pooler");
        }
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void RedisAcceptsClientsOnlyFromTheApiAndTheWorker(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var redis = manifest.Workloads().Single(w => w.Kind == "StatefulSet" && w.Name.StartsWith("redis", StringComparison.Ordinal));
        var clients = new HashSet<string> { "api", "worker", redis.Name, "redis-cluster-create" };
        foreach (var rule in IngressRulesFor(manifest, redis.PodLabels))
        {
            Assert.All(rule.FromProperty, peer =>
            {
                Assert.Null(peer.NamespaceSelector);
                Assert.Null(peer.IpBlock);
                Assert.Contains(peer.PodSelector.MatchLabels["app.kubernetes.io/name"], clients);
            });
        }

        foreach (var client in new[] { "api", "worker" })
        {
            var labels = manifest.Workloads().Single(w => w.Name == client).PodLabels;
            Assert.True(EgressAllowed(manifest, labels, redis.PodLabels, 6379) && IngressAllowed(manifest, redis.PodLabels, labels, 6379), $"{client} cannot reach Redis");
        }

        var migrate = manifest.Workloads().Single(w => w.Name == "migrate").PodLabels;
        Assert.False(IngressAllowed(manifest, redis.PodLabels, migrate, 6379), "the migrator must not reach Redis");
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void OnlyTheWorkerReachesTheNotificationProviders(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        foreach (var workload in manifest.Workloads())
        {
            var external = EgressRulesFor(manifest, workload.PodLabels).Where(r => r.To is null || r.To.Any(t => t.IpBlock is not null)).ToList();
            var ports = external.SelectMany(r => r.Ports ?? []).Select(p => p.Port.ToInt()).ToHashSet();
            switch (workload.Name)
            {
                case "worker":
                    Assert.Equal([443, 465, 587], ports.Order());
                    break;
                case "backup":
                    Assert.Equal([443], ports);
                    break;
                default:
                    Assert.True(ports.Count == 0, $"{workload} may reach addresses outside the cluster on {string.Join(",", ports)}");
                    break;
            }
        }
    }

    private static IDictionary<string, string> PoolerPodLabels(ManifestObject pooler)
    {
        var labels = new Dictionary<string, string> { ["cnpg.io/poolerName"] = pooler.Name };
        if (pooler.At("spec.template.metadata.labels") is YamlDotNet.RepresentationModel.YamlMappingNode template)
        {
            foreach (var (key, value) in template.Children)
            {
                labels[key.ToString()] = value.ToString();
            }
        }

        return labels;
    }

    private static List<IDictionary<string, string>> DatabasePodLabels(Manifest manifest)
    {
        var pods = manifest.Workloads().Where(w => w.Name == "postgres").Select(w => w.PodLabels).ToList();
        pods.AddRange(manifest.OfKind("Cluster").Select(c => (IDictionary<string, string>)new Dictionary<string, string> { ["cnpg.io/cluster"] = c.Name }));
        Assert.NotEmpty(pods);
        return pods;
    }

    private static IEnumerable<V1NetworkPolicyIngressRule> IngressRulesFor(Manifest manifest, IDictionary<string, string> labels) =>
        manifest.All<V1NetworkPolicy>()
            .Where(p => p.Spec.PolicyTypes.Contains("Ingress") && Selectors.Matches(p.Spec.PodSelector, labels))
            .SelectMany(p => p.Spec.Ingress ?? []);

    private static IEnumerable<V1NetworkPolicyEgressRule> EgressRulesFor(Manifest manifest, IDictionary<string, string> labels) =>
        manifest.All<V1NetworkPolicy>()
            .Where(p => p.Spec.PolicyTypes.Contains("Egress") && Selectors.Matches(p.Spec.PodSelector, labels))
            .SelectMany(p => p.Spec.Egress ?? []);

    private static bool IngressAllowed(Manifest manifest, IDictionary<string, string> target, IDictionary<string, string> source, int port) =>
        IngressRulesFor(manifest, target).Any(r =>
            (r.Ports is null || r.Ports.Any(p => p.Port.ToInt() == port)) &&
            r.FromProperty.Any(peer => peer.NamespaceSelector is null && peer.IpBlock is null && Selectors.Matches(peer.PodSelector, source)));

    private static bool EgressAllowed(Manifest manifest, IDictionary<string, string> source, IDictionary<string, string> target, int port) =>
        EgressRulesFor(manifest, source).Any(r =>
            (r.Ports is null || r.Ports.Any(p => p.Port.ToInt() == port)) &&
            r.To is not null && r.To.Any(peer => peer.NamespaceSelector is null && peer.IpBlock is null && Selectors.Matches(peer.PodSelector, target)));
}
