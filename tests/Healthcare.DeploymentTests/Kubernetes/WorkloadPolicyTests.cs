using k8s.Models;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>
/// The checks kube-score and Polaris make, for every container of every overlay: resources, probes, the restricted
/// security context, pinned images, and disruption budgets.
/// </summary>
public sealed class WorkloadPolicyTests
{
    /// <summary>The numeric user of the healthcare-backend image (devops/docker/Dockerfile).</summary>
    public const long AppUser = 10001;

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EveryContainerHasRequestsAndLimits(string overlay)
    {
        var failures = new List<string>();
        foreach (var workload in Kustomize.Overlay(overlay).Workloads())
        {
            foreach (var container in workload.AllContainers)
            {
                foreach (var resource in new[] { "cpu", "memory" })
                {
                    var request = Quantity(container.Resources?.Requests, resource);
                    var limit = Quantity(container.Resources?.Limits, resource);
                    if (request is null || limit is null)
                    {
                        failures.Add($"{workload}/{container.Name}: {resource} request and limit are required");
                    }
                    else if (request.ToDecimal() > limit.ToDecimal())
                    {
                        failures.Add($"{workload}/{container.Name}: {resource} request {request} exceeds the limit {limit}");
                    }
                }
            }
        }

        Assert.Empty(failures);
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EveryLongRunningContainerHasLivenessAndReadinessProbes(string overlay)
    {
        var failures = new List<string>();
        foreach (var workload in Kustomize.Overlay(overlay).Workloads().Where(w => w.LongRunning))
        {
            foreach (var container in workload.Template.Spec.Containers)
            {
                if (container.LivenessProbe is null || container.ReadinessProbe is null)
                {
                    failures.Add($"{workload}/{container.Name}: liveness and readiness probes are required");
                }
            }
        }

        Assert.Empty(failures);
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void ApiAndWorkerProbeTheirHealthEndpoints(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        foreach (var (name, port) in new[] { ("api", "http"), ("worker", "http") })
        {
            var container = manifest.Get<V1Deployment>(name).Spec.Template.Spec.Containers.Single();
            Assert.Equal("/health", container.StartupProbe?.HttpGet?.Path);
            Assert.Equal("/health", container.LivenessProbe?.HttpGet?.Path);
            Assert.Equal("/health/ready", container.ReadinessProbe?.HttpGet?.Path);
            Assert.Equal(port, container.ReadinessProbe!.HttpGet.Port.Value);
        }
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EveryContainerRunsWithTheRestrictedSecurityContext(string overlay)
    {
        var failures = new List<string>();
        foreach (var workload in Kustomize.Overlay(overlay).Workloads())
        {
            var pod = workload.Template.Spec.SecurityContext;
            if (workload.Template.Spec.HostNetwork == true || workload.Template.Spec.HostPID == true || workload.Template.Spec.HostIPC == true)
            {
                failures.Add($"{workload}: shares a host namespace");
            }

            if (workload.Template.Spec.AutomountServiceAccountToken != false)
            {
                failures.Add($"{workload}: mounts a service account token");
            }

            foreach (var container in workload.AllContainers)
            {
                var context = container.SecurityContext;
                var where = $"{workload}/{container.Name}";
                if ((context?.RunAsNonRoot ?? pod?.RunAsNonRoot) != true)
                {
                    failures.Add($"{where}: runAsNonRoot is not true");
                }

                var user = context?.RunAsUser ?? pod?.RunAsUser;
                if (user is null or 0)
                {
                    failures.Add($"{where}: no numeric non-root runAsUser");
                }

                if (context?.ReadOnlyRootFilesystem != true)
                {
                    failures.Add($"{where}: the root filesystem is writable");
                }

                if (context?.AllowPrivilegeEscalation != false)
                {
                    failures.Add($"{where}: allowPrivilegeEscalation is not false");
                }

                if (context?.Privileged == true)
                {
                    failures.Add($"{where}: privileged");
                }

                if (context?.Capabilities?.Drop?.Contains("ALL") != true || context.Capabilities.Add is { Count: > 0 })
                {
                    failures.Add($"{where}: capabilities are not dropped (drop: [ALL], no add)");
                }

                if ((context?.SeccompProfile?.Type ?? pod?.SeccompProfile?.Type) is not ("RuntimeDefault" or "Localhost"))
                {
                    failures.Add($"{where}: no RuntimeDefault seccomp profile");
                }
            }
        }

        Assert.Empty(failures);
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void TheBackendImageRunsAsItsNumericUserWithAWritableTmpOnly(string overlay)
    {
        foreach (var workload in Kustomize.Overlay(overlay).Workloads())
        {
            foreach (var container in workload.AllContainers.Where(IsBackendImage))
            {
                Assert.Equal(AppUser, container.SecurityContext?.RunAsUser ?? workload.Template.Spec.SecurityContext?.RunAsUser);
                Assert.Equal(["dotnet"], container.Command ?? ["dotnet"]);
                var tmp = Assert.Single(container.VolumeMounts, m => m.MountPath == "/tmp");
                var volume = Assert.Single(workload.Template.Spec.Volumes, v => v.Name == tmp.Name);
                Assert.NotNull(volume.EmptyDir);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EveryImageIsPinnedToAVersion(string overlay)
    {
        var failures = new List<string>();
        foreach (var workload in Kustomize.Overlay(overlay).Workloads())
        {
            foreach (var container in workload.AllContainers)
            {
                // The application's committed tag is CI's last main build, which exists; make k8s-image and deploy.sh
                // pin a digest before anything is applied (ImageTests).
                var ciMainBuild = container.Image.EndsWith("/healthcare-backend:main", StringComparison.Ordinal);
                if (!IsPinned(container.Image) && !ciMainBuild)
                {
                    failures.Add($"{workload}/{container.Name}: image '{container.Image}' has no version tag or digest");
                }

                if (container.ImagePullPolicy == "Always")
                {
                    failures.Add($"{workload}/{container.Name}: imagePullPolicy Always with a pinned image only adds registry calls");
                }
            }
        }

        foreach (var cluster in Kustomize.Overlay(overlay).OfKind("Cluster"))
        {
            if (!IsPinned(cluster.Scalar("spec.imageName")))
            {
                failures.Add($"{cluster.Id}: imageName is not pinned");
            }
        }

        Assert.Empty(failures);
    }

    [Theory]
    [InlineData("redis:7.4.2-bookworm", true)]
    [InlineData("ghcr.io/acme/healthcare-backend@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("healthcare-backend:0.0.0-local", true)]
    [InlineData("redis", false)]
    [InlineData("redis:latest", false)]
    [InlineData("redis:7", false)]
    [InlineData("registry.example:5000/redis", false)]
    public void APinnedImageNamesAnExactVersionOrDigest(string image, bool pinned) => Assert.Equal(pinned, IsPinned(image));

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EveryDeploymentAndStatefulSetHasADisruptionBudget(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var budgets = manifest.All<V1PodDisruptionBudget>();
        foreach (var workload in manifest.Workloads().Where(w => w.LongRunning))
        {
            var matching = budgets.Where(b => Selectors.Matches(b.Spec.Selector, workload.PodLabels)).ToList();
            var budget = Assert.Single(matching);
            Assert.True(budget.Spec.MinAvailable is not null ^ budget.Spec.MaxUnavailable is not null, $"{budget.Metadata.Name}: set one of minAvailable and maxUnavailable");
        }

        Assert.All(budgets, b => Assert.Contains(manifest.Workloads(), w => w.LongRunning && Selectors.Matches(b.Spec.Selector, w.PodLabels)));
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void ApiAndWorkerRollOutWithoutLosingCapacityAndDrainBeforeTheyStop(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        foreach (var name in new[] { "api", "worker" })
        {
            var deployment = manifest.Get<V1Deployment>(name);
            Assert.Equal("RollingUpdate", deployment.Spec.Strategy.Type);
            Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);

            var spec = deployment.Spec.Template.Spec;
            var container = spec.Containers.Single();
            var preStop = container.Lifecycle?.PreStop?.Sleep?.Seconds ?? 0;
            // REQUEST_TIMEOUT_SECONDS (API) and WORKER_SHUTDOWN_GRACE_SECONDS (worker) are both 30 s by default.
            const int drain = 30;
            Assert.True(spec.TerminationGracePeriodSeconds > preStop + drain, $"{name}: terminationGracePeriodSeconds must exceed preStop ({preStop} s) + drain ({drain} s)");

            var keys = spec.TopologySpreadConstraints.Select(c => c.TopologyKey).ToList();
            Assert.Contains("topology.kubernetes.io/zone", keys);
            Assert.Contains("kubernetes.io/hostname", keys);
            Assert.All(spec.TopologySpreadConstraints, c => Assert.True(Selectors.Matches(c.LabelSelector, deployment.Spec.Template.Metadata.Labels)));
        }

        // Behind the ingress, the API keeps serving while its endpoint is removed everywhere.
        var api = manifest.Get<V1Deployment>("api").Spec.Template.Spec.Containers.Single();
        Assert.True(api.Lifecycle?.PreStop?.Sleep?.Seconds >= 5, "api: a preStop sleep lets endpoint removal propagate");
    }

    private static ResourceQuantity? Quantity(IDictionary<string, ResourceQuantity>? quantities, string name) =>
        quantities is not null && quantities.TryGetValue(name, out var quantity) ? quantity : null;

    internal static bool IsBackendImage(V1Container container) =>
        container.Image.Split('@')[0].Split(':')[0].Split('/')[^1] == "healthcare-backend";

    internal static bool IsPinned(string? image)
    {
        if (string.IsNullOrEmpty(image))
        {
            return false;
        }

        var at = image.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            return System.Text.RegularExpressions.Regex.IsMatch(image[(at + 1)..], "^sha256:[0-9a-f]{64}$");
        }

        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        var colon = lastSegment.LastIndexOf(':');
        if (colon < 0)
        {
            return false;
        }

        // A full version: major.minor.patch, optionally with a suffix (7.4.2-bookworm, 0.1.0, 16.6 for PostgreSQL).
        var tag = lastSegment[(colon + 1)..];
        return System.Text.RegularExpressions.Regex.IsMatch(tag, @"^v?\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.-]+)?$");
    }
}
