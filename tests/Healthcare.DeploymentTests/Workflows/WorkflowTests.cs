using System.Text.RegularExpressions;
using Healthcare.DeploymentTests.Scripts;
using Healthcare.Testing;
using YamlDotNet.RepresentationModel;

namespace Healthcare.DeploymentTests.Workflows;

/// <summary>
/// The GitHub Actions workflows: valid for the workflow schema and actionlint, every action pinned to a
/// commit, least privilege, and the deployment order and safeguards the operations guide describes.
/// </summary>
public sealed partial class WorkflowTests
{
    private static string WorkflowPath(string name) => Path.Combine(RepositoryPaths.Root, ".github", "workflows", name);

    private static YamlMappingNode Load(string name)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(WorkflowPath(name));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlNode? Child(YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static string? Scalar(YamlNode node, string key) => (Child(node, key) as YamlScalarNode)?.Value;

    private static IEnumerable<(string Name, YamlMappingNode Job)> Jobs(YamlMappingNode workflow) =>
        ((YamlMappingNode)Child(workflow, "jobs")!).Children.Select(c => (((YamlScalarNode)c.Key).Value!, (YamlMappingNode)c.Value));

    private static IEnumerable<YamlMappingNode> Steps(YamlMappingNode job) =>
        Child(job, "steps") is YamlSequenceNode steps ? steps.Children.Cast<YamlMappingNode>() : [];

    [Fact]
    public async Task BothWorkflowsPassTheSchemaValidatorAndActionlint()
    {
        var result = await Script.RunAsync("devops/scripts/ci/validate-workflows.sh", timeout: TimeSpan.FromMinutes(4));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ok: .github/workflows/ci.yml", result.Stdout);
        Assert.Contains("ok: .github/workflows/cd.yml", result.Stdout);
    }

    [Fact]
    public async Task TheValidatorRejectsABrokenWorkflow()
    {
        var directory = Directory.CreateTempSubdirectory("hb-workflow-").FullName;
        try
        {
            var broken = Path.Combine(directory, "broken.yml");
            await File.WriteAllTextAsync(broken, """
                name: broken
                on: push
                jobs:
                  build:
                    runs-on: ubuntu-24.04
                    needs: [missing]
                    stepz:
                      - run: devops/scripts/ci/no-such-script.sh
                """);

            var result = await Script.RunAsync("devops/scripts/ci/validate-workflows.sh", [broken], timeout: TimeSpan.FromMinutes(4));

            Assert.Equal(1, result.ExitCode);
            Assert.Contains("schema validation failed", result.Stderr);
            Assert.Contains("actionlint found problems", result.Stderr);
            Assert.Contains("runs devops/scripts/ci/no-such-script.sh, which does not exist", result.Stderr);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("ci.yml")]
    [InlineData("cd.yml")]
    public void EveryActionIsPinnedToACommitAndNamesItsRelease(string workflow)
    {
        var uses = File.ReadAllLines(WorkflowPath(workflow)).Where(l => l.TrimStart(' ', '-').StartsWith("uses:", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(uses);
        Assert.All(uses, line => Assert.Matches(PinnedAction(), line));
    }

    [Theory]
    [InlineData("ci.yml")]
    [InlineData("cd.yml")]
    public void PermissionsAreReadOnlyByDefaultAndWidenedPerJob(string workflow)
    {
        var root = Load(workflow);
        var permissions = Assert.IsType<YamlMappingNode>(Child(root, "permissions"));
        Assert.Equal("read", Scalar(permissions, "contents"));
        Assert.Single(permissions.Children);

        var writers = Jobs(root).Where(j => Child(j.Job, "permissions") is YamlMappingNode p &&
            p.Children.Values.OfType<YamlScalarNode>().Any(v => v.Value == "write")).Select(j => j.Name).ToList();
        Assert.Equal(workflow == "ci.yml" ? ["codeql", "image"] : [], writers);
    }

    [Fact]
    public void CiCancelsSupersededRunsCachesNuGetAndPushesTheImageFromMainOnly()
    {
        var ci = Load("ci.yml");
        var concurrency = Child(ci, "concurrency")!;
        Assert.Equal("true", Scalar(concurrency, "cancel-in-progress"));

        var jobs = Jobs(ci).ToDictionary(j => j.Name, j => j.Job);
        Assert.Equal(["lint", "test", "chaos", "security", "codeql", "image"], jobs.Keys);
        foreach (var name in new[] { "lint", "test", "chaos", "security", "codeql" })
        {
            Assert.Contains(Steps(jobs[name]), s => Scalar(s, "uses")?.StartsWith("actions/cache@", StringComparison.Ordinal) == true &&
                Scalar(Child(s, "with")!, "path") == "~/.nuget/packages");
        }

        Assert.Contains(Steps(jobs["test"]), s => Scalar(s, "run")?.Contains(".ci/run", StringComparison.Ordinal) == true);
        // The long fault-injection runs only on main, after the tests.
        Assert.Equal("github.event_name == 'push' && github.ref == 'refs/heads/main'", Scalar(jobs["chaos"], "if"));
        Assert.Contains(Steps(jobs["chaos"]), s => Scalar(s, "run")?.EndsWith("make chaos", StringComparison.Ordinal) == true);
        var securityRuns = string.Join('\n', Steps(jobs["security"]).Select(s => Scalar(s, "run") ?? Scalar(s, "uses")));
        Assert.Contains("vulnerable-packages.sh", securityRuns);
        Assert.Contains("secret-scan.sh", securityRuns);
        Assert.Contains("aquasecurity/trivy-action@", securityRuns);

        var push = Steps(jobs["image"]).Single(s => Scalar(s, "id") == "push");
        Assert.Equal("github.event_name == 'push' && github.ref == 'refs/heads/main'", Scalar(push, "if"));
        var with = Child(push, "with")!;
        Assert.Equal("true", Scalar(with, "sbom"));
        Assert.Equal("mode=max", Scalar(with, "provenance"));
        Assert.Equal("devops/docker/Dockerfile", Scalar(with, "file"));
        Assert.Equal(["lint", "test", "security"], ((YamlSequenceNode)Child(jobs["image"], "needs")!).Children.Select(n => n.ToString()));
    }

    [Fact]
    public void CdDeploysStagingThenProtectedProductionOneAtATimeWithRollback()
    {
        var cd = Load("cd.yml");
        var trigger = Child(Child(cd, "on")!, "workflow_run")!;
        Assert.Equal("ci", ((YamlSequenceNode)Child(trigger, "workflows")!).Children.Single().ToString());
        Assert.Equal("main", ((YamlSequenceNode)Child(trigger, "branches")!).Children.Single().ToString());

        var jobs = Jobs(cd).ToDictionary(j => j.Name, j => j.Job);
        Assert.Contains("workflow_run.conclusion == 'success'", Scalar(jobs["image"], "if"));
        Assert.Equal(["image", "staging"], ((YamlSequenceNode)Child(jobs["production"], "needs")!).Children.Select(n => n.ToString()));

        foreach (var environment in new[] { "staging", "production" })
        {
            var job = jobs[environment];
            Assert.Equal(environment, Scalar(Child(job, "environment")!, "name"));
            Assert.Equal($"deploy-{environment}", Scalar(Child(job, "concurrency")!, "group"));
            Assert.Equal("false", Scalar(Child(job, "concurrency")!, "cancel-in-progress"));

            var runs = Steps(job).Select(s => (Run: Scalar(s, "run") ?? "", If: Scalar(s, "if"))).ToList();
            Assert.Contains(runs, r => r.Run.StartsWith("devops/scripts/deployment/deploy.sh ", StringComparison.Ordinal) &&
                r.Run.EndsWith($" {environment} \"$DIGEST\"", StringComparison.Ordinal) && r.Run.Contains("--timeout", StringComparison.Ordinal));
            var rollback = Assert.Single(runs, r => r.Run.Contains("rollback.sh", StringComparison.Ordinal));
            Assert.Equal("failure() || cancelled()", rollback.If);
            Assert.EndsWith($" {environment}", rollback.Run);
        }
    }

    [GeneratedRegex(@"uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v?\d+\.\d+\.\d+$")]
    private static partial Regex PinnedAction();
}
