using System.Text.RegularExpressions;
using Healthcare.Testing;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>The Roles people and the pipeline act with: each may do what its runbook asks of it, and nothing that gets round that.</summary>
public sealed partial class AccessTests
{
    /// <summary>Kinds whose pods an operator must not be able to create or reshape: each can mount any Secret.</summary>
    private static readonly HashSet<string> PodTemplates = ["deployments", "statefulsets", "daemonsets", "replicasets", "replicationcontrollers", "jobs", "cronjobs"];

    /// <summary>Subresources that reach into a running pod or mint credentials: no verb at all.</summary>
    private static readonly HashSet<string> IntoPods = ["pods/exec", "pods/attach", "pods/portforward", "pods/ephemeralcontainers", "serviceaccounts/token"];

    private static readonly HashSet<string> Writes = ["create", "update", "patch", "delete", "deletecollection"];

    private const string Namespace = "healthcare-backend";

    private static readonly string[] DeployScripts = ["devops/scripts/deployment/deploy.sh", "devops/scripts/deployment/rollback.sh"];

    /// <summary>What client-side `kubectl apply` does with each object: read it, then create it or patch it.</summary>
    private static readonly string[] ApplyVerbs = ["get", "create", "patch"];

    /// <summary>Plural resource names of the custom resources the overlays hold; the built-in ones come from the client models.</summary>
    private static readonly Dictionary<string, (string Group, string Resource)> CustomResources = new()
    {
        ["keda.sh/v1alpha1/ScaledObject"] = ("keda.sh", "scaledobjects"),
        ["monitoring.coreos.com/v1/ServiceMonitor"] = ("monitoring.coreos.com", "servicemonitors"),
        ["monitoring.coreos.com/v1/PrometheusRule"] = ("monitoring.coreos.com", "prometheusrules"),
        ["postgresql.cnpg.io/v1/Cluster"] = ("postgresql.cnpg.io", "clusters"),
        ["postgresql.cnpg.io/v1/Pooler"] = ("postgresql.cnpg.io", "poolers"),
        ["postgresql.cnpg.io/v1/ScheduledBackup"] = ("postgresql.cnpg.io", "scheduledbackups"),
        ["autoscaling.k8s.io/v1/VerticalPodAutoscaler"] = ("autoscaling.k8s.io", "verticalpodautoscalers"),
    };

    /// <summary>
    /// What each kubectl call of deploy.sh and rollback.sh needs besides `apply` (which needs <see cref="ApplyVerbs"/> on
    /// every kind the overlays hold). A call missing here fails the test: add what it needs here and to the deploy Role.
    /// </summary>
    private static readonly Dictionary<string, Grant[]> ScriptCalls = new(StringComparer.Ordinal)
    {
        ["get namespace"] = [new("", "namespaces", "get", Namespace)],
        ["get deployment"] = [new("apps", "deployments", "get")],
        ["get job"] = [new("batch", "jobs", "get")],
        ["get hpa"] = [new("autoscaling", "horizontalpodautoscalers", "get")],
        ["get scaledobject"] = [new("keda.sh", "scaledobjects", "get")],
        // --wait=true watches the Job until it is gone.
        ["delete job"] = [new("batch", "jobs", "delete"), new("batch", "jobs", "get"), new("batch", "jobs", "list"), new("batch", "jobs", "watch")],
        // The Job's pod is found by its selector (listed, or watched while there is none), then its log read.
        ["logs job"] = [new("batch", "jobs", "get"), new("", "pods", "get"), new("", "pods", "list"), new("", "pods", "watch"), new("", "pods/log", "get")],
        // kubectl scale patches the scale subresource, or reads and updates it when given a precondition.
        ["scale deployment"] = [new("apps", "deployments", "get"), new("apps", "deployments/scale", "get"), new("apps", "deployments/scale", "patch"), new("apps", "deployments/scale", "update")],
        ["rollout status"] = [new("apps", "deployments", "get"), new("apps", "deployments", "list"), new("apps", "deployments", "watch")],
        // rollout undo finds the earlier revision among the Deployment's ReplicaSets and patches the template back.
        ["rollout undo"] = [new("apps", "deployments", "get"), new("apps", "deployments", "patch"), new("apps", "replicasets", "get"), new("apps", "replicasets", "list")],
        ["set image"] = [new("apps", "deployments", "get"), new("apps", "deployments", "patch")],
        ["apply"] = [],
        // Only without --base-url; the workflow always passes DEPLOY_BASE_URL (checked below), so CD never port-forwards.
        ["port-forward"] = [],
    };

    /// <summary>Kinds that are not namespaced, or that decide access: none may be in a release.</summary>
    private static readonly HashSet<string> NotInARelease =
    [
        "Namespace", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "CustomResourceDefinition", "PersistentVolume",
        "StorageClass", "PriorityClass", "IngressClass", "RuntimeClass", "APIService", "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "ClusterIssuer",
    ];

    /// <summary>One permission: a verb on a resource of an API group, on any object or on the named one.</summary>
    public sealed record Grant(string Group, string Resource, string Verb, string? Name = null)
    {
        public override string ToString() => $"{Verb} {(Group.Length == 0 ? "" : Group + "/")}{Resource}{(Name is null ? "" : " " + Name)}";
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void AReleaseHoldsNoNamespaceNoRolesAndNothingClusterWide(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);

        Assert.DoesNotContain(manifest.Objects, o => NotInARelease.Contains(o.Kind) || (o.Kind.StartsWith("Cluster", StringComparison.Ordinal) && o.Kind != "Cluster"));
        Assert.All(manifest.Objects, o => Assert.True(o.Namespace == Namespace, $"{o.Id} is not in {Namespace}"));
    }

    [Fact]
    public void TheDeployRoleGrantsExactlyWhatTheScriptsAndTheReleasesNeedInTheNamespace()
    {
        var access = Kustomize.NamespaceAndAccess;
        var role = access.Get<V1Role>("deploy");
        Assert.Equal(Namespace, role.Metadata.NamespaceProperty);
        Assert.DoesNotContain(access.Objects, o => o.Kind is "ClusterRole" or "ClusterRoleBinding");

        var needed = new HashSet<Grant>();
        foreach (var overlay in Kustomize.Overlays)
        {
            foreach (var item in Kustomize.Overlay(overlay).Objects)
            {
                var resource = Manifest.BuiltInResource(item)
                    ?? (CustomResources.TryGetValue(item.ApiVersion + "/" + item.Kind, out var custom) ? custom : throw new KeyNotFoundException($"{overlay}: {item.Id}: which resource is {item.ApiVersion} {item.Kind}? Add it to CustomResources"));
                needed.UnionWith(ApplyVerbs.Select(verb => new Grant(resource.Group, resource.Resource, verb)));
            }
        }

        var calls = KubectlCalls().ToList();
        Assert.Contains("apply", calls);
        Assert.Contains("rollout undo", calls);
        foreach (var call in calls)
        {
            Assert.True(ScriptCalls.TryGetValue(call, out var grants), $"the deployment scripts run `kubectl {call}`: add what it needs to ScriptCalls and to the deploy Role");
            needed.UnionWith(grants!);
        }

        var granted = Grants(role).ToHashSet();
        Assert.True(needed.IsSubsetOf(granted), "the deploy Role lacks: " + string.Join(", ", needed.Except(granted).Select(g => g.ToString()).Order(StringComparer.Ordinal)));
        Assert.True(granted.IsSubsetOf(needed), "the deploy Role grants more than deploy.sh and rollback.sh need: " + string.Join(", ", granted.Except(needed).Select(g => g.ToString()).Order(StringComparer.Ordinal)));

        // The pipeline is bound to it in the namespace, by the ServiceAccount next to it.
        var binding = access.Get<V1RoleBinding>("deploy");
        Assert.Equal(("Role", "deploy"), (binding.RoleRef.Kind, binding.RoleRef.Name));
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", "deploy", Namespace), (subject.Kind, subject.Name, subject.NamespaceProperty));
        Assert.False(access.Get<V1ServiceAccount>("deploy").AutomountServiceAccountToken ?? true);
    }

    [Fact]
    public void ThePipelineGivesEveryDeploymentABaseUrlSoItNeverPortForwards()
    {
        var workflow = new YamlStream();
        workflow.Load(new StringReader(File.ReadAllText(Path.Combine(RepositoryPaths.Root, ".github/workflows/cd.yml"))));
        var jobs = (YamlMappingNode)((YamlMappingNode)workflow.Documents[0].RootNode)["jobs"];
        var deploySteps = jobs.Children.Values.Cast<YamlMappingNode>()
            .SelectMany(job => job.Children.TryGetValue("steps", out var steps) ? ((YamlSequenceNode)steps).Children.Cast<YamlMappingNode>() : [])
            .Where(step => step.Children.TryGetValue("run", out var run) && ((YamlScalarNode)run).Value!.Contains("deployment/deploy.sh", StringComparison.Ordinal))
            .ToList();

        Assert.Equal(2, deploySteps.Count);
        Assert.All(deploySteps, step => Assert.True(
            step.Children.TryGetValue("env", out var env) && ((YamlMappingNode)env).Children.ContainsKey("DEPLOY_BASE_URL"),
            "a deploy.sh step without DEPLOY_BASE_URL port-forwards, which the deploy Role does not allow"));
    }

    [Fact]
    public void TheOperatorRoleCannotChangeAPodTemplateOrReadUnnamedSecrets()
    {
        var role = Kustomize.NamespaceAndAccess.Get<V1Role>("operator");

        Assert.Empty(OperatorViolations(role));

        // What the runbook asks of on-call: read workloads, logs and events; scale; restart by deleting pods.
        Assert.True(Allows(role, "", "pods/log", "get"));
        Assert.True(Allows(role, "", "events", "list"));
        Assert.True(Allows(role, "apps", "deployments", "list"));
        Assert.True(Allows(role, "apps", "deployments/scale", "patch"));
        Assert.True(Allows(role, "apps", "statefulsets/scale", "patch"));
        Assert.True(Allows(role, "", "pods", "delete"));
        Assert.True(Allows(role, "", "secrets", "get", "healthcare-secrets"));
        Assert.False(Allows(role, "", "secrets", "get", "healthcare-db-owner"));
    }

    [Fact]
    public void TheOperatorCheckFindsAPatchOfADeployment()
    {
        // The control for the test above: `patch` on Deployments is what `kubectl rollout restart` needs, and it
        // also lets the holder add any Secret to the pod template.
        var role = new V1Role
        {
            Metadata = new V1ObjectMeta { Name = "operator" },
            Rules =
            [
                new V1PolicyRule { ApiGroups = ["apps"], Resources = ["deployments"], Verbs = ["get", "patch"] },
                new V1PolicyRule { ApiGroups = [""], Resources = ["secrets"], Verbs = ["list"] },
                new V1PolicyRule { ApiGroups = [""], Resources = ["pods/exec"], Verbs = ["create"] },
                new V1PolicyRule { ApiGroups = ["rbac.authorization.k8s.io"], Resources = ["rolebindings"], Verbs = ["create"] },
            ],
        };

        var violations = OperatorViolations(role);

        Assert.Equal(4, violations.Count);
        Assert.Contains(violations, v => v.Contains("patch deployments", StringComparison.Ordinal));
    }

    /// <summary>Every grant of <paramref name="role"/> an on-call operator must not hold, one line each.</summary>
    public static IReadOnlyList<string> OperatorViolations(V1Role role)
    {
        var violations = new List<string>();
        foreach (var rule in role.Rules)
        {
            foreach (var resource in rule.Resources ?? [])
            {
                foreach (var verb in rule.Verbs)
                {
                    var grant = $"Role {role.Metadata.Name}: {verb} {resource}";
                    if (verb == "*" || resource == "*" || rule.ApiGroups.Contains("*"))
                    {
                        violations.Add(grant + " (a wildcard)");
                    }
                    else if (IntoPods.Contains(resource))
                    {
                        violations.Add(grant + " (reaches into a pod)");
                    }
                    else if (PodTemplates.Contains(resource) && Writes.Contains(verb))
                    {
                        violations.Add(grant + " (changes or creates a pod template, which can mount any Secret)");
                    }
                    else if (resource == "pods" && verb != "delete" && (Writes.Contains(verb) || verb == "deletecollection"))
                    {
                        violations.Add(grant + " (pods may only be deleted one by one, for a restart)");
                    }
                    else if (resource == "secrets" && (verb != "get" || rule.ResourceNames is not { Count: > 0 }))
                    {
                        violations.Add(grant + " (Secrets: get by name only)");
                    }
                    else if (resource is "roles" or "rolebindings" && verb is not ("get" or "list" or "watch"))
                    {
                        violations.Add(grant + " (changes access)");
                    }
                }
            }
        }

        return violations;
    }

    /// <summary>Every single permission a Role's rules add up to.</summary>
    public static IEnumerable<Grant> Grants(V1Role role) =>
        from rule in role.Rules
        from apiGroup in rule.ApiGroups
        from resource in rule.Resources ?? []
        from verb in rule.Verbs
        from name in rule.ResourceNames is { Count: > 0 } ? rule.ResourceNames.Select(n => (string?)n) : [null]
        select new Grant(apiGroup, resource, verb, name);

    /// <summary>The kubectl calls of the deployment scripts (their `kube` wrapper), as "get deployment", "rollout undo", "apply".</summary>
    public static IEnumerable<string> KubectlCalls() =>
        DeployScripts
            .SelectMany(script => File.ReadAllLines(Path.Combine(RepositoryPaths.Root, script)))
            .Where(line => !line.TrimStart().StartsWith('#'))
            .SelectMany(line => KubeCall().Matches(line))
            .Select(m => m.Groups["kind"].Success ? m.Groups["command"].Value + " " + m.Groups["kind"].Value : m.Groups["command"].Value)
            .Distinct(StringComparer.Ordinal);

    [GeneratedRegex(@"(?<![\w-])kube (?<command>rollout [a-z]+|set [a-z]+|[a-z-]+)(?: ""?(?<kind>[a-z]+)(?=[/ ]))?")]
    private static partial Regex KubeCall();

    /// <summary>Whether <paramref name="role"/> lets its holder do <paramref name="verb"/> on the resource (of the named object).</summary>
    public static bool Allows(V1Role role, string apiGroup, string resource, string verb, string? name = null) =>
        role.Rules.Any(rule =>
            rule.ApiGroups.Contains(apiGroup) &&
            (rule.Resources ?? []).Contains(resource) &&
            rule.Verbs.Contains(verb) &&
            (rule.ResourceNames is not { Count: > 0 } || (name is not null && rule.ResourceNames.Contains(name))));
}
