using k8s.Models;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>The Roles people and the pipeline act with: each may do what its runbook asks of it, and nothing that gets round that.</summary>
public sealed class AccessTests
{
    /// <summary>Kinds whose pods an operator must not be able to create or reshape: each can mount any Secret.</summary>
    private static readonly HashSet<string> PodTemplates = ["deployments", "statefulsets", "daemonsets", "replicasets", "replicationcontrollers", "jobs", "cronjobs"];

    /// <summary>Subresources that reach into a running pod or mint credentials: no verb at all.</summary>
    private static readonly HashSet<string> IntoPods = ["pods/exec", "pods/attach", "pods/portforward", "pods/ephemeralcontainers", "serviceaccounts/token"];

    private static readonly HashSet<string> Writes = ["create", "update", "patch", "delete", "deletecollection"];

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void TheOperatorRoleCannotChangeAPodTemplateOrReadUnnamedSecrets(string overlay)
    {
        var role = Kustomize.Overlay(overlay).Get<V1Role>("operator");

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

    /// <summary>Whether <paramref name="role"/> lets its holder do <paramref name="verb"/> on the resource (of the named object).</summary>
    public static bool Allows(V1Role role, string apiGroup, string resource, string verb, string? name = null) =>
        role.Rules.Any(rule =>
            rule.ApiGroups.Contains(apiGroup) &&
            (rule.Resources ?? []).Contains(resource) &&
            rule.Verbs.Contains(verb) &&
            (rule.ResourceNames is not { Count: > 0 } || (name is not null && rule.ResourceNames.Contains(name))));
}
