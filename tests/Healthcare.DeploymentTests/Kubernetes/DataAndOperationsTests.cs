using System.Globalization;
using Healthcare.Testing;
using k8s.Models;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>PostgreSQL, Redis, the migration Job, backups and the Prometheus Operator objects.</summary>
public sealed class DataAndOperationsTests
{
    private static readonly string[] SynchronousMethods = ["any", "first"];
    private static readonly string[] Severities = ["critical", "warning"];

    [Theory]
    [InlineData("staging", 6, 1)]
    [InlineData("production", 9, 2)]
    public void RedisRunsAsAFixedSizeClusterWithAofAndLruEviction(string overlay, int pods, int replicasPerPrimary)
    {
        var manifest = Kustomize.Overlay(overlay);
        var redis = manifest.Get<V1StatefulSet>("redis-cluster");
        Assert.Equal(pods, redis.Spec.Replicas);

        var create = manifest.Get<V1Job>("redis-cluster-create").Spec.Template.Spec.Containers.Single();
        Assert.Equal(pods.ToString(CultureInfo.InvariantCulture), Env(create, "REDIS_NODES"));
        Assert.Equal(replicasPerPrimary.ToString(CultureInfo.InvariantCulture), Env(create, "REDIS_REPLICAS"));
        Assert.Equal(0, pods % (replicasPerPrimary + 1));
        Assert.True(pods / (replicasPerPrimary + 1) >= 3, "Redis Cluster needs at least 3 primaries");

        var config = RedisConfig(manifest, redis, "/etc/redis-cluster");
        Assert.Equal("yes", config["cluster-enabled"]);
        AssertDurableAndBounded(manifest, redis, config);
        Assert.NotNull(manifest.Find("PodDisruptionBudget", "redis-cluster"));

        // The sizing (docs/capacity.md, docs/operations/kubernetes.md): 2 to 4 GiB per Redis pod of a cluster.
        var memory = redis.Spec.Template.Spec.Containers.Single().Resources;
        Assert.InRange(memory.Limits["memory"].ToDecimal(), 2m * 1024 * 1024 * 1024, 4m * 1024 * 1024 * 1024);
        Assert.Equal(memory.Limits["memory"].ToDecimal(), memory.Requests["memory"].ToDecimal());
    }

    [Fact]
    public void TheLocalClusterRunsOneRedisNodeWithTheSameDurabilityAndEviction()
    {
        var manifest = Kustomize.Overlay("local");
        Assert.Null(manifest.Find("StatefulSet", "redis-cluster"));
        Assert.Null(manifest.Find("Job", "redis-cluster-create"));
        var redis = manifest.Get<V1StatefulSet>("redis");
        Assert.Equal(1, redis.Spec.Replicas);
        var config = RedisConfig(manifest, redis, "/etc/redis-single");
        Assert.False(config.ContainsKey("cluster-enabled"));
        AssertDurableAndBounded(manifest, redis, config);
    }

    [Theory]
    [InlineData("local")]
    public void LocalRunsASingleInstancePostgreSqlWithAVolume(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var postgres = manifest.Get<V1StatefulSet>("postgres");
        Assert.Equal(1, postgres.Spec.Replicas);
        var claim = Assert.Single(postgres.Spec.VolumeClaimTemplates);
        Assert.Contains(postgres.Spec.Template.Spec.Containers.Single().VolumeMounts, m => m.Name == claim.Metadata.Name && m.MountPath == "/var/lib/postgresql/data");
        Assert.Empty(manifest.OfKind("Cluster"));
        // Each process's DATABASE_URL names the Service postgres: DatabaseRolesTests checks whose credentials it carries.
        Assert.Contains(manifest.Get<V1Service>("postgres").Spec.Ports, p => p.Port == 5432);
    }

    [Theory]
    [InlineData("staging", "2", "preferred", "preferred")]
    [InlineData("production", "3", "required", "required")]
    public void StagingAndProductionRunPostgreSqlAsACloudNativePgClusterWithSynchronousReplicationAndBackups(string overlay, string instances, string durability, string antiAffinity)
    {
        var manifest = Kustomize.Overlay(overlay);
        Assert.Null(manifest.Find("StatefulSet", "postgres"));
        Assert.Null(manifest.Find("Service", "postgres"));

        var cluster = Assert.Single(manifest.OfKind("Cluster"));
        Assert.Equal("postgres", cluster.Name);
        Assert.Equal(instances, cluster.Scalar("spec.instances"));
        Assert.True(int.Parse(cluster.Scalar("spec.postgresql.synchronous.number")!, CultureInfo.InvariantCulture) >= 1);
        Assert.Contains(cluster.Scalar("spec.postgresql.synchronous.method"), SynchronousMethods);
        Assert.Equal(durability, cluster.Scalar("spec.postgresql.synchronous.dataDurability"));
        Assert.Equal(antiAffinity, cluster.Scalar("spec.affinity.podAntiAffinityType"));
        Assert.Equal("healthcare", cluster.Scalar("spec.bootstrap.initdb.database"));
        Assert.Equal("healthcare", cluster.Scalar("spec.bootstrap.initdb.owner"));
        Assert.NotNull(cluster.Scalar("spec.storage.size"));
        Assert.NotEqual("false", cluster.Scalar("spec.enablePDB"));
        Assert.Equal("topology.kubernetes.io/zone", cluster.Scalar("spec.affinity.topologyKey"));
        Assert.StartsWith("s3://", cluster.Scalar("spec.backup.barmanObjectStore.destinationPath"), StringComparison.Ordinal);

        var backup = Assert.Single(manifest.OfKind("ScheduledBackup"));
        Assert.Equal(cluster.Name, backup.Scalar("spec.cluster.name"));
        Assert.Equal(6, backup.Scalar("spec.schedule")!.Split(' ').Length);

        // The owner's credentials are ours, not generated by the operator (DatabaseRolesTests: who reads which).
        Assert.Equal("healthcare-db-owner", cluster.Scalar("spec.bootstrap.initdb.secret.name"));
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void TheMigrationJobRunsTheMigratorOnceAndGivesUp(string overlay)
    {
        var job = Kustomize.Overlay(overlay).Get<V1Job>("migrate");
        var container = job.Spec.Template.Spec.Containers.Single();
        Assert.Equal(["/app/api/Healthcare.Api.dll", "migrate"], container.Args);
        Assert.Equal("Never", job.Spec.Template.Spec.RestartPolicy);
        Assert.InRange(job.Spec.BackoffLimit ?? 6, 0, 5);
        Assert.NotNull(job.Spec.ActiveDeadlineSeconds);

        // The API and the worker stay unready while migrations are pending: readiness checks them.
        var manifest = Kustomize.Overlay(overlay);
        Assert.Equal("/app/api/Healthcare.Api.dll", Assert.Single(manifest.Get<V1Deployment>("api").Spec.Template.Spec.Containers.Single().Args));
        Assert.Equal("/app/worker/Healthcare.Worker.dll", Assert.Single(manifest.Get<V1Deployment>("worker").Spec.Template.Spec.Containers.Single().Args));
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void TheBackupCronJobRunsTheRepositorysBackupScript(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var cron = manifest.Get<V1CronJob>("backup");
        Assert.Equal("Forbid", cron.Spec.ConcurrencyPolicy);
        var pod = cron.Spec.JobTemplate.Spec.Template.Spec;
        var container = pod.Containers.Single();

        // The scripts of devops/scripts/backup, byte for byte, from a ConfigMap mounted where the command runs them.
        var command = Assert.Single(container.Command);
        var scriptsMount = Assert.Single(container.VolumeMounts, m => command.StartsWith(m.MountPath + "/", StringComparison.Ordinal));
        Assert.Equal(scriptsMount.MountPath + "/backup.sh", command);
        var scripts = Assert.Single(pod.Volumes, v => v.Name == scriptsMount.Name).ConfigMap;
        var data = manifest.Get<V1ConfigMap>(scripts.Name).Data;
        foreach (var file in new[] { "backup.sh", "restore.sh", "pg.sh" })
        {
            Assert.Equal(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "devops/scripts/backup", file)), data[file]);
        }

        // Dumps go to a volume of their own.
        var outputDir = container.Args[container.Args.IndexOf("--output-dir") + 1];
        var backups = Assert.Single(container.VolumeMounts, m => m.MountPath == outputDir);
        var claim = Assert.Single(pod.Volumes, v => v.Name == backups.Name).PersistentVolumeClaim.ClaimName;
        Assert.NotNull(manifest.Get<V1PersistentVolumeClaim>(claim));
    }

    [Theory]
    [InlineData("staging")]
    [InlineData("production")]
    public void PrometheusScrapesTheApiAndTheWorkerAndAlertsAreComplete(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        foreach (var (name, port) in new[] { ("api", "metrics"), ("worker", "http") })
        {
            var monitor = manifest.Require("ServiceMonitor", name);
            var service = manifest.Get<V1Service>(name);
            Assert.Equal(name, MatchLabel(monitor));
            Assert.Equal(name, service.Metadata.Labels["app.kubernetes.io/name"]);
            var endpoint = Assert.Single(((YamlDotNet.RepresentationModel.YamlSequenceNode)monitor.At("spec.endpoints")!).Children);
            var endpointPort = ((YamlDotNet.RepresentationModel.YamlScalarNode)((YamlDotNet.RepresentationModel.YamlMappingNode)endpoint).Children[new YamlDotNet.RepresentationModel.YamlScalarNode("port")]).Value;
            Assert.Equal(port, endpointPort);
            Assert.Contains(service.Spec.Ports, p => p.Name == endpointPort);
        }

        var rules = AppMetrics.AlertRules(manifest.Require("PrometheusRule", "healthcare-backend")).ToList();
        Assert.True(rules.Count >= 6);
        // An alert name appears once per severity (a warning and a critical threshold of the same condition).
        Assert.Equal(rules.Count, rules.Select(r => (r.Name, r.Labels["severity"])).Distinct().Count());
        Assert.All(rules, r =>
        {
            Assert.StartsWith("Healthcare", r.Name, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(r.Expr));
            Assert.NotNull(r.For);
            Assert.Contains(r.Labels["severity"], Severities);
            Assert.False(string.IsNullOrWhiteSpace(r.Annotations["summary"]));
            Assert.Equal(r.Expr.Count(c => c == '('), r.Expr.Count(c => c == ')'));
        });
    }

    private static string MatchLabel(ManifestObject monitor)
    {
        var labels = (YamlDotNet.RepresentationModel.YamlMappingNode)monitor.At("spec.selector.matchLabels")!;
        return ((YamlDotNet.RepresentationModel.YamlScalarNode)labels.Children[new YamlDotNet.RepresentationModel.YamlScalarNode("app.kubernetes.io/name")]).Value!;
    }

    private static string? Env(V1Container container, string name) => container.Env?.SingleOrDefault(e => e.Name == name)?.Value;

    /// <summary>The redis.conf a Redis StatefulSet starts from (start.sh adds maxmemory from REDIS_MAXMEMORY).</summary>
    private static Dictionary<string, string> RedisConfig(Manifest manifest, V1StatefulSet redis, string mountPath)
    {
        var container = redis.Spec.Template.Spec.Containers.Single();
        var mount = Assert.Single(container.VolumeMounts, m => m.MountPath == mountPath);
        var configMap = manifest.Get<V1ConfigMap>(Assert.Single(redis.Spec.Template.Spec.Volumes, v => v.Name == mount.Name).ConfigMap.Name);
        Assert.Contains("start.sh", string.Join(' ', container.Command), StringComparison.Ordinal);
        return configMap.Data["redis.conf"].Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split(' ', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.Ordinal);
    }

    private static void AssertDurableAndBounded(Manifest manifest, V1StatefulSet redis, Dictionary<string, string> config)
    {
        Assert.Equal("yes", config["appendonly"]);
        Assert.Equal("allkeys-lru", config["maxmemory-policy"]);
        var container = redis.Spec.Template.Spec.Containers.Single();
        var maxMemory = Env(container, "REDIS_MAXMEMORY")!;
        Assert.EndsWith("mb", maxMemory, StringComparison.Ordinal);
        var dataBytes = decimal.Parse(maxMemory[..^2], CultureInfo.InvariantCulture) * 1024 * 1024;
        var limit = container.Resources.Limits["memory"].ToDecimal();
        // The rest of the limit is for the AOF rewrite's copy-on-write and the replication buffers.
        Assert.InRange(dataBytes / limit, 0.5m, 0.8m);
        Assert.Contains(container.VolumeMounts, m => m.MountPath == "/data" && redis.Spec.VolumeClaimTemplates.Any(c => c.Metadata.Name == m.Name));
        Assert.DoesNotContain(manifest.All<V2HorizontalPodAutoscaler>(), h => h.Spec.ScaleTargetRef.Name == redis.Metadata.Name);
    }
}
