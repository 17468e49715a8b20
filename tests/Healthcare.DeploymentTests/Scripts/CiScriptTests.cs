using System.Security.Cryptography;

namespace Healthcare.DeploymentTests.Scripts;

/// <summary>The checkers the CI workflow runs, each shown to catch what it is there to catch.</summary>
public sealed class CiScriptTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hb-ci-scripts-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task SecretScanFindsAPrivateKeyAndPassesCleanFiles()
    {
        var clean = Directory.CreateDirectory(Path.Combine(_directory, "clean")).FullName;
        await File.WriteAllTextAsync(Path.Combine(clean, "settings.env"), "LOG_LEVEL=info\nDATABASE_URL=postgresql://healthcare:CHANGE_ME@db:5432/healthcare\n");
        var leaked = Directory.CreateDirectory(Path.Combine(_directory, "leaked")).FullName;
        using (var key = RSA.Create(2048))
        {
            await File.WriteAllTextAsync(Path.Combine(leaked, "deploy-key.pem"), key.ExportRSAPrivateKeyPem());
        }

        var passing = await Script.RunAsync("devops/scripts/ci/secret-scan.sh", ["--dir", clean]);
        var failing = await Script.RunAsync("devops/scripts/ci/secret-scan.sh", ["--dir", leaked]);

        Assert.True(passing.ExitCode == 0, passing.ToString());
        Assert.Equal(1, failing.ExitCode);
        Assert.Contains("[PrivateKey]", failing.Output);
        Assert.DoesNotContain("BEGIN RSA PRIVATE KEY-----\nMII", failing.Output);
    }

    [Theory]
    [InlineData("High", 1)]
    [InlineData("Critical", 1)]
    [InlineData("Moderate", 0)]
    [InlineData(null, 0)]
    public async Task VulnerablePackagesFailOnHighOrCritical(string? severity, int exitCode)
    {
        var vulnerabilities = severity is null ? "" : $$"""
            , "vulnerabilities": [ { "severity": "{{severity}}", "advisoryurl": "https://github.com/advisories/GHSA-0000-0000-0000" } ]
            """;
        var report = Path.Combine(_directory, "report.json");
        await File.WriteAllTextAsync(report, $$"""
            {
              "version": 1,
              "parameters": "--vulnerable --include-transitive",
              "projects": [
                {
                  "path": "src/Healthcare.Api/Healthcare.Api.csproj",
                  "frameworks": [
                    {
                      "framework": "net10.0",
                      "transitivePackages": [
                        {
                          "id": "Example.Package",
                          "resolvedVersion": "1.0.0"{{vulnerabilities}}
                        }
                      ]
                    }
                  ]
                }
              ]
            }
            """);

        var result = await Script.RunAsync("devops/scripts/ci/vulnerable-packages.sh", ["--report", report]);

        Assert.True(result.ExitCode == exitCode, result.ToString());
        if (severity is not null)
        {
            Assert.Contains($"{severity}\tExample.Package 1.0.0\thttps://github.com/advisories/GHSA-0000-0000-0000", result.Stdout);
        }
    }

    [Fact]
    public async Task DockerfileLintRejectsABrokenDockerfile()
    {
        var good = Path.Combine(_directory, "Dockerfile.good");
        await File.WriteAllTextAsync(good, "FROM mcr.microsoft.com/dotnet/aspnet:10.0\nUSER 10001\nENTRYPOINT [\"dotnet\"]\nCMD [\"/app/api/Healthcare.Api.dll\"]\n");
        var broken = Path.Combine(_directory, "Dockerfile.broken");
        await File.WriteAllTextAsync(broken, "FROM\nCMD [\"a\"]\n");

        var passing = await Script.RunAsync("devops/scripts/ci/lint-dockerfile.sh", [good]);
        var failing = await Script.RunAsync("devops/scripts/ci/lint-dockerfile.sh", [broken]);

        Assert.True(passing.ExitCode == 0, passing.ToString());
        Assert.Equal(1, failing.ExitCode);
        Assert.Contains("Instruction has no arguments", failing.Output);
    }
}
