using System.Diagnostics;
using Healthcare.Testing;

namespace Healthcare.DeploymentTests.Scripts;

/// <summary>The outcome of one script run: exit code and everything it printed.</summary>
public sealed record ScriptResult(int ExitCode, string Stdout, string Stderr)
{
    public string Output => Stdout + Stderr;

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Runs the repository's bash scripts the way an operator or the workflows do.</summary>
public static class Script
{
    /// <summary>Settings the scripts read; removed from the inherited environment so each test states its own.</summary>
    private static readonly string[] ScriptVariables =
    [
        "DATABASE_URL", "BACKUP_DIR", "BACKUP_KEEP", "BACKUP_PREFIX", "BACKUP_CHECKSUM_TABLES", "BACKUP_UPLOAD_COMMAND",
        "SMOKE_TEST_EMAIL", "SMOKE_TEST_PASSWORD", "IMAGE_REPO", "GITHUB_REPOSITORY_OWNER", "K8S_NAMESPACE", "KUBE_CONTEXT",
        "DEPLOY_BASE_URL", "PG_BIN",
    ];

    public static string PathOf(string relative) => Path.Combine(RepositoryPaths.Root, relative);

    public static async Task<ScriptResult> RunAsync(
        string script,
        IEnumerable<string>? arguments = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        info.ArgumentList.Add(PathOf(script));
        foreach (var argument in arguments ?? [])
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var variable in ScriptVariables)
        {
            info.Environment.Remove(variable);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"bash {script} did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{script} did not finish in time:\n{await stdout}\n{await stderr}");
        }

        return new ScriptResult(process.ExitCode, await stdout, await stderr);
    }
}
