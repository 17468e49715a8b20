using System.Collections.Concurrent;
using System.Diagnostics;
using Healthcare.Testing;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>
/// Renders kustomizations with <c>kubectl kustomize</c> (kubectl 1.27 or newer, which embeds kustomize v5), once
/// per folder and test run. <c>make test</c> installs kubectl when it is missing.
/// </summary>
public static class Kustomize
{
    public const string KubernetesDir = "devops/kubernetes";

    /// <summary>The overlays of devops/kubernetes/overlays, which are what gets applied.</summary>
    public static readonly string[] Overlays = ["local", "staging", "production"];

    /// <summary>
    /// The namespace and the Roles in it (devops/kubernetes/namespace): applied once by a cluster administrator, never
    /// part of a release.
    /// </summary>
    public static Manifest NamespaceAndAccess => Render(Path.Combine(KubernetesDir, "namespace"));

    private static readonly ConcurrentDictionary<string, Lazy<Manifest>> Rendered = new();

    public static TheoryData<string> OverlayNames => new(Overlays);

    /// <summary>The rendered overlay, e.g. <c>production</c>.</summary>
    public static Manifest Overlay(string name) => Render(Path.Combine(KubernetesDir, "overlays", name));

    /// <summary>The rendered kustomization in <paramref name="relativeDir"/> (relative to the repository root).</summary>
    public static Manifest Render(string relativeDir) =>
        Rendered.GetOrAdd(relativeDir, dir => new Lazy<Manifest>(() => Manifest.Parse(RunKubectl(dir), dir))).Value;

    private static string RunKubectl(string relativeDir)
    {
        var directory = Path.Combine(RepositoryPaths.Root, relativeDir);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("KUBECTL") ?? "kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(directory);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("kubectl did not start");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException(
                "kubectl is not installed: the Kubernetes tests render the manifests with `kubectl kustomize` (make test installs it).");
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"kubectl kustomize {relativeDir} did not finish within 2 minutes");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"kubectl kustomize {relativeDir} failed ({process.ExitCode}): {stderr.Result.Trim()}");
            }

            return stdout.Result;
        }
    }
}
