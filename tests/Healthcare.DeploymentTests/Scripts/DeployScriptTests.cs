namespace Healthcare.DeploymentTests.Scripts;

/// <summary>
/// devops/scripts/deployment/deploy.sh and rollback.sh against a stand-in kubectl, with the smoke test and
/// the health check running for real against a locally started API.
/// </summary>
[Collection(SeededApiGroup.Name)]
public sealed class DeployScriptTests(SeededApi api) : IDisposable
{
    private const string Deploy = "devops/scripts/deployment/deploy.sh";
    private const string Rollback = "devops/scripts/deployment/rollback.sh";
    private const string Digest = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    private const string Image = "ghcr.io/acme/healthcare-backend@" + Digest;

    private readonly FakeCluster _cluster = new();

    public void Dispose() => _cluster.Dispose();

    private Dictionary<string, string?> Environment(string? fail = null, string? password = null)
    {
        var environment = _cluster.Environment(fail);
        environment["SMOKE_TEST_EMAIL"] = api.Doctor.Email;
        environment["SMOKE_TEST_PASSWORD"] = password ?? api.Doctor.Password;
        environment["IMAGE_REPO"] = "ghcr.io/acme/healthcare-backend";
        return environment;
    }

    private Task<ScriptResult> DeployAsync(Dictionary<string, string?> environment, params string[] extra) =>
        Script.RunAsync(
            Deploy,
            ["--overlays-dir", _cluster.OverlaysDirectory, "--base-url", api.BaseUrl, "--state-file", _cluster.StateFile, "--timeout", "60s", .. extra, "staging", Digest],
            environment,
            TimeSpan.FromMinutes(3));

    private string State => File.ReadAllText(_cluster.StateFile).Trim();

    [Fact]
    public async Task ADeploymentMigratesFirstThenRollsOutTheDigestAndPassesTheChecks()
    {
        var result = await DeployAsync(Environment());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"deploy: staging now runs {Image}", result.Stdout);
        Assert.Contains("smoke test passed", result.Stdout);
        Assert.Equal("deployed", State);

        // Order: the old Job goes, everything but the Deployments is applied, the migration completes,
        // then the Deployments are applied and both roll out. Nothing is rolled back.
        var calls = _cluster.Calls.Select(c => c.Replace("--namespace healthcare-backend ", "", StringComparison.Ordinal)).ToList();
        var order = new[] { "delete job/migrate", "apply -f", "get job/migrate", "apply -f", "rollout status deployment/api", "rollout status deployment/worker" };
        var position = 0;
        foreach (var call in calls)
        {
            if (position < order.Length && call.StartsWith(order[position], StringComparison.Ordinal))
            {
                position++;
            }
        }

        Assert.True(position == order.Length, string.Join('\n', calls));
        Assert.DoesNotContain(calls, c => c.StartsWith("rollout undo", StringComparison.Ordinal));

        // The image is set on every healthcare-backend container, and only there.
        var applied = _cluster.Applied;
        Assert.Equal(2, applied.Count);
        Assert.Contains("kind: Job", applied[0]);
        Assert.DoesNotContain("kind: Deployment", applied[0]);
        Assert.Contains("kind: Deployment", applied[1]);
        var images = string.Concat(applied).Split('\n').Where(l => l.TrimStart(' ', '-').StartsWith("image:", StringComparison.Ordinal)).Select(l => l.Trim()).ToList();
        Assert.Equal(3, images.Count(i => i.EndsWith(Image, StringComparison.Ordinal)));
        Assert.Single(images, i => i.EndsWith("docker.io/library/busybox:1.36", StringComparison.Ordinal));
        Assert.Equal(4, images.Count);
    }

    [Fact]
    public async Task DeploymentsStoppedAtZeroComeBackAtTheirAutoscalersMinimum()
    {
        // The restore runbook stops the writers; an autoscaler does not scale up from 0 by itself.
        _cluster.SetReplicas("api", 0);
        _cluster.SetReplicas("worker", 0);

        var result = await DeployAsync(Environment());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(_cluster.Calls, c => c.EndsWith("scale deployment/api --replicas=10", StringComparison.Ordinal));
        Assert.Contains(_cluster.Calls, c => c.EndsWith("scale deployment/worker --replicas=5", StringComparison.Ordinal));
        Assert.Contains("deploy: deployment/api was at 0 replicas; scaled to 10", result.Stdout);
    }

    [Fact]
    public async Task DeploymentsThatRunAreNotRescaled()
    {
        var result = await DeployAsync(Environment());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain(_cluster.Calls, c => c.Contains("scale ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ARolloutThatDoesNotFinishIsRolledBack()
    {
        var result = await DeployAsync(Environment(fail: "rollout"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("deploy: FAILED: deployment/api did not roll out within 60s", result.Stderr);
        Assert.Contains(_cluster.Calls, c => c.EndsWith("rollout undo deployment/api", StringComparison.Ordinal));
        Assert.Contains(_cluster.Calls, c => c.EndsWith("rollout undo deployment/worker", StringComparison.Ordinal));
        Assert.Contains("rolled back to ghcr.io/acme/healthcare-backend@sha256:1111", result.Stderr);
        Assert.Equal("rolled-back", State);
    }

    [Fact]
    public async Task OnlyTheDeploymentThatChangedIsRolledBack()
    {
        _cluster.KeepUnchanged("worker");

        var result = await DeployAsync(Environment("rollout"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(_cluster.Calls, c => c.EndsWith("rollout undo deployment/api", StringComparison.Ordinal));
        Assert.DoesNotContain(_cluster.Calls, c => c.EndsWith("rollout undo deployment/worker", StringComparison.Ordinal));
        Assert.Equal("rolled-back", State);
    }

    [Fact]
    public async Task AFailedSmokeTestIsRolledBack()
    {
        var result = await DeployAsync(Environment(password: "not-the-smoke-password"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("smoke test failed: sign-in", result.Stderr);
        Assert.Contains("deploy: FAILED: the smoke test failed", result.Stderr);
        Assert.Contains(_cluster.Calls, c => c.EndsWith("rollout undo deployment/api", StringComparison.Ordinal));
        Assert.Equal("rolled-back", State);
    }

    [Fact]
    public async Task AFailedMigrationChangesNoDeployment()
    {
        var result = await DeployAsync(Environment(fail: "migrate"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("the migration Job did not complete", result.Stderr);
        Assert.Single(_cluster.Applied);
        Assert.DoesNotContain(_cluster.Calls, c => c.Contains("rollout", StringComparison.Ordinal));
        Assert.Equal("unchanged", State);
    }

    [Fact]
    public async Task AMissingNamespaceStopsTheDeploymentWithOneLineBeforeAnythingChanges()
    {
        // The namespace comes from devops/kubernetes/namespace, applied once by a cluster administrator.
        var result = await DeployAsync(Environment(fail: "namespace"));

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("namespace healthcare-backend does not exist", line);
        Assert.Contains("make k8s-namespace", line);
        Assert.Empty(_cluster.Applied);
        Assert.DoesNotContain(_cluster.Calls, c => c.Contains(" delete ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("v1", "Namespace", "")]
    [InlineData("rbac.authorization.k8s.io/v1", "ClusterRole", "")]
    [InlineData("rbac.authorization.k8s.io/v1", "Role", "\n  namespace: healthcare-backend")]
    public async Task AReleaseThatHoldsANamespaceARoleOrAClusterWideObjectIsRefused(string apiVersion, string kind, string namespaceLine)
    {
        _cluster.AddToRelease($"apiVersion: {apiVersion}\nkind: {kind}\nmetadata:\n  name: healthcare-backend{namespaceLine}");

        var result = await DeployAsync(Environment());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"renders {kind}, which a release may not hold", result.Stderr);
        Assert.All(_cluster.Calls, c => Assert.StartsWith("kustomize ", c));
    }

    [Fact]
    public async Task ADryRunRendersThePlanAndChangesNothing()
    {
        var result = await DeployAsync(Environment(), "--dry-run");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"deploy: staging <- {Image}", result.Stdout);
        Assert.Contains($"3   image: {Image}", result.Stdout);
        Assert.Contains("1 ConfigMap, 2 Deployment, 1 Job", result.Stdout);
        Assert.All(_cluster.Calls, c => Assert.StartsWith("kustomize ", c));
    }

    [Theory]
    [InlineData("qa", Digest, "unknown ENV 'qa'")]
    [InlineData("staging", "latest; rm -rf /", "is not a tag, a sha256 digest")]
    [InlineData("staging", "sha256:abc", "is not a tag, a sha256 digest")]
    public async Task BadArgumentsAreRefusedBeforeAnythingRuns(string environment, string tag, string message)
    {
        var result = await Script.RunAsync(Deploy, ["--overlays-dir", _cluster.OverlaysDirectory, environment, tag], Environment());

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr);
        Assert.Empty(_cluster.Calls);
    }

    [Fact]
    public async Task ABareTagNeedsARepository()
    {
        var environment = Environment();
        environment.Remove("IMAGE_REPO");

        var result = await Script.RunAsync(Deploy, ["--overlays-dir", _cluster.OverlaysDirectory, "staging", "v1.2.3"], environment);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("set --image-repo", result.Stderr);
    }

    [Fact]
    public async Task RollbackUndoesBothDeploymentsAndWaitsForThem()
    {
        var result = await Script.RunAsync(Rollback, ["--timeout", "60s", "production"], _cluster.Environment());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            [
                "--namespace healthcare-backend rollout undo deployment/api",
                "--namespace healthcare-backend rollout undo deployment/worker",
                "--namespace healthcare-backend rollout status deployment/api --timeout=60s",
                "--namespace healthcare-backend rollout status deployment/worker --timeout=60s",
            ],
            _cluster.Calls);
    }

    [Fact]
    public async Task RollbackCanPinThePreviousImage()
    {
        var previous = "ghcr.io/acme/healthcare-backend@sha256:" + new string('3', 64);

        var result = await Script.RunAsync(Rollback, ["--image", previous, "staging"], _cluster.Environment());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"--namespace healthcare-backend set image deployment/api *={previous}", _cluster.Calls);
        Assert.Contains($"--namespace healthcare-backend set image deployment/worker *={previous}", _cluster.Calls);
    }

    [Theory]
    [InlineData("deployed", false)]
    [InlineData("rolled-back", false)]
    [InlineData("unchanged", false)]
    [InlineData("applied", true)]
    public async Task AfterAnInterruptedWorkflowOnlyAnAppliedReleaseIsRolledBack(string state, bool rollsBack)
    {
        File.WriteAllText(_cluster.StateFile, state + "\n");

        var result = await Script.RunAsync(Rollback, ["--if-interrupted", _cluster.StateFile, "staging"], _cluster.Environment());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(rollsBack, _cluster.Calls.Any(c => c.Contains("rollout undo", StringComparison.Ordinal)));
        Assert.Equal(rollsBack ? "rolled-back" : state, State);
    }
}
