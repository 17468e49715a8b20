using Healthcare.Testing;

namespace Healthcare.DeploymentTests.Scripts;

/// <summary>Every operations script: strict bash, executable, a --help that exits 0, and a refusal of unknown options.</summary>
public sealed class ScriptConventionsTests
{
    private static readonly string[] Areas = ["ci", "backup", "monitoring", "deployment"];

    private static List<string> ScriptPaths() =>
        Areas
            .SelectMany(folder => Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "devops", "scripts", folder), "*.sh"))
            .Select(file => Path.GetRelativePath(RepositoryPaths.Root, file).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    public static TheoryData<string> OperationsScripts() => new(ScriptPaths());

    [Fact]
    public void EachAreaHasItsScripts()
    {
        var scripts = ScriptPaths();
        foreach (var expected in new[]
        {
            "devops/scripts/ci/test.sh", "devops/scripts/ci/lint.sh", "devops/scripts/ci/validate-workflows.sh",
            "devops/scripts/ci/secret-scan.sh", "devops/scripts/ci/vulnerable-packages.sh",
            "devops/scripts/backup/backup.sh", "devops/scripts/backup/restore.sh",
            "devops/scripts/monitoring/check-health.sh",
            "devops/scripts/deployment/deploy.sh", "devops/scripts/deployment/rollback.sh", "devops/scripts/deployment/smoke-test.sh",
        })
        {
            Assert.Contains(expected, scripts);
        }
    }

    [Theory]
    [MemberData(nameof(OperationsScripts))]
    public async Task IsStrictExecutableAndDocumented(string script)
    {
        var path = Script.PathOf(script);
        var text = await File.ReadAllTextAsync(path);
        Assert.StartsWith("#!/usr/bin/env bash\n", text);
        Assert.Matches(@"(?m)^\s*set -euo pipefail$", text);
        Assert.True((File.GetUnixFileMode(path) & UnixFileMode.UserExecute) != 0, $"{script} is not executable");

        var help = await Script.RunAsync(script, ["--help"]);
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.StartsWith("Usage: " + script, help.Stdout);

        var unknown = await Script.RunAsync(script, ["--no-such-option"]);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--no-such-option", unknown.Stderr);
    }
}
