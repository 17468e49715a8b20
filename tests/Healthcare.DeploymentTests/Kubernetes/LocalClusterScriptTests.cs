using System.Diagnostics;
using Healthcare.Testing;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>
/// make k8s-local-deploy/-access/-stop need kind, kubectl and Docker, which CI does not have: without them each
/// command stops with one line naming what is missing. Tools are hidden by running with a PATH of stand-ins.
/// </summary>
public sealed class LocalClusterScriptTests : IDisposable
{
    private const string Script = "devops/scripts/k8s/local.sh";
    private readonly string _bin = Directory.CreateTempSubdirectory("hb-k8s-path-").FullName;

    public LocalClusterScriptTests()
    {
        File.CreateSymbolicLink(Path.Combine(_bin, "bash"), "/bin/bash");
    }

    public void Dispose() => Directory.Delete(_bin, recursive: true);

    [Theory]
    [InlineData("deploy", new string[0], "k8s-local-deploy: kind is not installed")]
    [InlineData("deploy", new[] { "kind" }, "k8s-local-deploy: kubectl is not installed")]
    [InlineData("deploy", new[] { "kind", "kubectl" }, "k8s-local-deploy: docker is not installed")]
    [InlineData("deploy", new[] { "kind", "kubectl", "docker" }, "k8s-local-deploy: Docker is installed but its engine is not running")]
    [InlineData("access", new string[0], "k8s-local-access: kubectl is not installed")]
    [InlineData("access", new[] { "kubectl" }, "k8s-local-access: kind is not installed")]
    [InlineData("stop", new string[0], "k8s-local-stop: kind is not installed")]
    [InlineData("stop", new[] { "kind" }, "k8s-local-stop: docker is not installed")]
    public void AMissingToolStopsTheCommandWithOneLine(string command, string[] installed, string expected)
    {
        foreach (var tool in installed)
        {
            // Stand-ins that fail, like a Docker client without an engine.
            var path = Path.Combine(_bin, tool);
            File.WriteAllText(path, "#!/bin/sh\nexit 1\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        var (exitCode, stdout, stderr) = Run(command);

        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public void HelpListsTheThreeCommandsAndMakeCallsThem()
    {
        var (exitCode, stdout, _) = Run("--help");
        Assert.Equal(0, exitCode);
        Assert.Contains("deploy", stdout, StringComparison.Ordinal);
        Assert.Contains("access", stdout, StringComparison.Ordinal);
        Assert.Contains("stop", stdout, StringComparison.Ordinal);

        var makefile = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "Makefile"));
        foreach (var target in new[] { "deploy", "access", "stop" })
        {
            Assert.Matches($@"(?m)^k8s-local-{target}: ## .+\n\t@\$\(SCRIPTS\)/k8s/local\.sh {target}$", makefile);
        }
    }

    private (int ExitCode, string Stdout, string Stderr) Run(string argument)
    {
        var start = new ProcessStartInfo("/bin/bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(argument);
        start.Environment["PATH"] = _bin;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "local.sh did not finish");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
