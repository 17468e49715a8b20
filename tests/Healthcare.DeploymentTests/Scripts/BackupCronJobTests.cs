using Healthcare.Testing;
using k8s;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Healthcare.DeploymentTests.Scripts;

/// <summary>
/// The Kustomize component devops/scripts/backup: a CronJob that runs backup.sh from a ConfigMap generated
/// from the scripts themselves, hardened like the application's pods.
/// </summary>
public sealed class BackupCronJobTests
{
    private static readonly string Component = Path.Combine(RepositoryPaths.Root, "devops", "scripts", "backup");

    private static List<string> GeneratedFiles()
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Component, "kustomization.yaml")))
        {
            stream.Load(reader);
        }

        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        Assert.Equal("Component", root["kind"].ToString());
        var generator = (YamlMappingNode)((YamlSequenceNode)root["configMapGenerator"]).Children.Single();
        Assert.Equal("backup-scripts", generator["name"].ToString());
        return ((YamlSequenceNode)generator["files"]).Children.Select(f => f.ToString()).ToList();
    }

    [Fact]
    public void TheConfigMapCarriesBackupShAndEverythingItSources()
    {
        var files = GeneratedFiles();

        Assert.Contains("backup.sh", files);
        Assert.All(files, f => Assert.True(File.Exists(Path.Combine(Component, f)), f));
        var sourced = File.ReadAllLines(Path.Combine(Component, "backup.sh"))
            .Where(l => l.StartsWith(". \"$script_dir/", StringComparison.Ordinal))
            .Select(l => l[". \"$script_dir/".Length..].TrimEnd('"'))
            .ToList();
        Assert.NotEmpty(sourced);
        Assert.All(sourced, s => Assert.Contains(s, files));
    }

    [Fact]
    public void TheCronJobRunsTheMountedScriptAsTheBackupRole()
    {
        var cronJob = KubernetesYaml.Deserialize<V1CronJob>(File.ReadAllText(Path.Combine(Component, "cronjob.yaml")), strict: true);
        var pod = cronJob.Spec.JobTemplate.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);

        Assert.Equal("Forbid", cronJob.Spec.ConcurrencyPolicy);
        Assert.Equal("Never", pod.RestartPolicy);
        var scripts = pod.Volumes.Single(v => v.Name == "scripts");
        Assert.Equal("backup-scripts", scripts.ConfigMap.Name);
        var mount = container.VolumeMounts.Single(m => m.Name == "scripts");
        Assert.Equal($"{mount.MountPath}/backup.sh", Assert.Single(container.Command));
        Assert.Equal("/backups", container.VolumeMounts.Single(m => m.Name == "backups").MountPath);
        Assert.Equal("/backups", container.Args[container.Args.IndexOf("--output-dir") + 1]);

        // The read-only backup role's URL, from a Secret of its own that no other workload reads.
        var databaseUrl = container.Env.Single(e => e.Name == "DATABASE_URL").ValueFrom.SecretKeyRef;
        Assert.Equal(("healthcare-db-backup", "uri"), (databaseUrl.Name, databaseUrl.Key));

        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.Equal(["ALL"], container.SecurityContext.Capabilities.Drop);
        Assert.Contains(pod.Volumes, v => v.Name == "tmp" && v.EmptyDir is not null);
        Assert.NotNull(container.Resources.Limits);
    }
}
