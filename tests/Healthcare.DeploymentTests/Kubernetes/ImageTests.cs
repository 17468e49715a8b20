using System.Text.RegularExpressions;
using Healthcare.DeploymentTests.Scripts;
using Healthcare.Testing;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>
/// The overlays name an image that exists: CI's push target (.github/workflows/ci.yml) with a tag CI pushes, and
/// `make k8s-image` (devops/scripts/k8s/set-image.sh) pins one digest before `kubectl apply -k`.
/// </summary>
public sealed partial class ImageTests
{
    private const string Digest = "sha256:3333333333333333333333333333333333333333333333333333333333333333";

    [Theory]
    [InlineData("staging")]
    [InlineData("production")]
    public void TheOverlayNamesTheRepositoryCiPushesToWithATagCiPushes(string overlay)
    {
        var workflow = File.ReadAllText(Path.Combine(RepositoryPaths.Root, ".github", "workflows", "ci.yml"));
        var imageName = ImageName().Match(workflow).Groups[1].Value;
        // CI pushes ghcr.io/<owner, lower case>/$IMAGE_NAME, tagged sha-<commit> and, on main, main.
        Assert.Contains("image=ghcr.io/${GITHUB_REPOSITORY_OWNER,,}/${IMAGE_NAME}", workflow, StringComparison.Ordinal);
        Assert.Contains("type=sha,prefix=sha-,format=long", workflow, StringComparison.Ordinal);
        Assert.Contains("type=ref,event=branch", workflow, StringComparison.Ordinal);

        var images = Kustomize.Overlay(overlay).Workloads().SelectMany(w => w.AllContainers).Select(c => c.Image)
            .Where(i => i.Contains("/" + imageName, StringComparison.Ordinal)).Distinct().ToList();

        var image = Assert.Single(images);
        Assert.Matches($@"^ghcr\.io/[a-z0-9-]+/{imageName}(:main|:sha-[0-9a-f]{{40}}|@sha256:[0-9a-f]{{64}})$", image);
    }

    [Fact]
    public async Task SetImagePinsTheOverlayToADigest()
    {
        var copy = Directory.CreateTempSubdirectory("hb-set-image-").FullName;
        try
        {
            // The overlays, their base and the components the base takes from devops/scripts.
            foreach (var folder in new[] { "kubernetes", "scripts/backup", "scripts/postgres" })
            {
                CopyDirectory(Path.Combine(RepositoryPaths.Root, "devops", folder), Path.Combine(copy, folder));
            }

            var result = await Script.RunAsync("devops/scripts/k8s/set-image.sh", ["--overlays-dir", Path.Combine(copy, "kubernetes", "overlays"), "production", Digest]);

            Assert.True(result.ExitCode == 0, result.ToString());
            var images = Kustomize.Render(Path.Combine(copy, "kubernetes", "overlays", "production")).Workloads().SelectMany(w => w.AllContainers)
                .Select(c => c.Image).Where(i => i.Contains("/healthcare-backend", StringComparison.Ordinal)).Distinct();
            Assert.Equal($"ghcr.io/healthcare-backend/healthcare-backend@{Digest}", Assert.Single(images));

            // Again with another digest: still one digest line, the new one.
            var second = Digest.Replace('3', '4');
            Assert.Equal(0, (await Script.RunAsync("devops/scripts/k8s/set-image.sh", ["--overlays-dir", Path.Combine(copy, "kubernetes", "overlays"), "production", second])).ExitCode);
            var text = await File.ReadAllTextAsync(Path.Combine(copy, "kubernetes", "overlays", "production", "kustomization.yaml"));
            Assert.Equal(1, Regex.Count(text, "digest: sha256:"));
            Assert.Contains("digest: " + second, text, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Theory]
    [InlineData("production", "sha256:abc", "is not a digest")]
    [InlineData("production", "latest", "is not a digest")]
    [InlineData("qa", Digest, "no overlay 'qa'")]
    public async Task SetImageRefusesWhatIsNotADigestOrAnOverlay(string overlay, string digest, string message)
    {
        var result = await Script.RunAsync("devops/scripts/k8s/set-image.sh", [overlay, digest]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }

    [GeneratedRegex(@"(?m)^\s+IMAGE_NAME:\s*(\S+)\s*$")]
    private static partial Regex ImageName();
}
