using System.Globalization;
using Healthcare.Core.Data;
using Healthcare.Core.Jobs;
using Healthcare.Worker;
using k8s.Models;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>
/// The PostgreSQL connections an overlay can open, added up from its rendered manifests and settings: the client
/// connections each pooler must accept and the server connections each PostgreSQL instance must accept, with the
/// API and the worker at their smallest and at their largest size (plus the pods a rolling update adds).
/// </summary>
public sealed record ConnectionBudget(
    string Overlay,
    string Size,
    int ApiPods,
    int WorkerPods,
    int PrimaryPoolerClients,
    int PrimaryPoolerCapacity,
    int StandbyPoolerClients,
    int StandbyPoolerCapacity,
    int PrimaryConnections,
    int StandbyConnections,
    int MaxConnections,
    int Reserve)
{
    /// <summary>The migrator: EF Core's connection and the one that grants the group roles their privileges.</summary>
    public const int Migrator = 2;

    /// <summary>backup.sh: the session that holds the snapshot and pg_dump's.</summary>
    public const int Backup = 2;

    /// <summary>CloudNativePG's instance manager and metrics exporter, on each instance.</summary>
    public const int InstanceMonitoring = 2;

    /// <summary>PostgreSQL's default superuser_reserved_connections.</summary>
    public const int SuperuserReserved = 3;

    public bool HasPoolers => PrimaryPoolerCapacity > 0;

    /// <summary>What an instance may give the application: max_connections less the superuser's and the operators' share.</summary>
    public int Available => MaxConnections - Reserve;

    public IEnumerable<string> Failures()
    {
        if (HasPoolers && PrimaryPoolerClients > PrimaryPoolerCapacity)
        {
            yield return $"{Overlay} at {Size}: {PrimaryPoolerClients} client connections for postgres-pooler-rw, which accepts {PrimaryPoolerCapacity} with one PgBouncer pod down";
        }

        if (HasPoolers && StandbyPoolerClients > StandbyPoolerCapacity)
        {
            yield return $"{Overlay} at {Size}: {StandbyPoolerClients} client connections for postgres-pooler-ro, which accepts {StandbyPoolerCapacity} with one PgBouncer pod down";
        }

        if (PrimaryConnections > Available)
        {
            yield return $"{Overlay} at {Size}: {PrimaryConnections} server connections on the primary, more than max_connections {MaxConnections} less {Reserve} reserved";
        }

        if (StandbyConnections > Available)
        {
            yield return $"{Overlay} at {Size}: {StandbyConnections} server connections on a standby, more than max_connections {MaxConnections} less {Reserve} reserved";
        }
    }

    public static IEnumerable<ConnectionBudget> For(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var settings = Settings(manifest);
        var poolMax = Number(settings, "DB_POOL_MAX", new Core.Configuration.DatabaseOptions().PoolMax);
        var workerDefaults = new WorkerOptions();
        var jobWorkers = Number(settings, "WORKER_CONCURRENCY_CRITICAL", workerDefaults.CriticalConcurrency)
            + Number(settings, "WORKER_CONCURRENCY_DEFAULT", workerDefaults.DefaultConcurrency)
            + Number(settings, "WORKER_CONCURRENCY_MAINTENANCE", workerDefaults.MaintenanceConcurrency);

        // Per pod: the API's main pool, its look-up pool and Hangfire's (enqueuing only); the worker's main pool and
        // Hangfire's (its job workers). Reads from the standbys (DATABASE_READ_URL) are a pool of DB_POOL_MAX more.
        var apiPrimary = poolMax + LookupDatabase.PoolSize(poolMax) + JobStorageSetup.StoragePoolSize(0);
        var workerPrimary = poolMax + JobStorageSetup.StoragePoolSize(jobWorkers);

        var primaryPooler = manifest.OfKind("Pooler").SingleOrDefault(p => p.Scalar("spec.type") is "rw" or null);
        var standbyPooler = manifest.OfKind("Pooler").SingleOrDefault(p => p.Scalar("spec.type") == "ro");
        var (maxConnections, instances) = Database(manifest);
        var reserve = SuperuserReserved + Math.Max(10, maxConnections / 10);
        var direct = Migrator + (manifest.Find("CronJob", "backup") is null ? 0 : Backup);
        var monitoring = manifest.OfKind("Cluster").Any() ? InstanceMonitoring : 0;

        foreach (var (size, apiPods, workerPods) in new[] { ("minimum", Pods(manifest, "api", max: false), Pods(manifest, "worker", max: false)), ("maximum", Pods(manifest, "api", max: true), Pods(manifest, "worker", max: true)) })
        {
            var clients = (apiPods * apiPrimary) + (workerPods * workerPrimary);
            if (primaryPooler is null)
            {
                // Every client connection is a server connection.
                yield return new ConnectionBudget(overlay, size, apiPods, workerPods, 0, 0, 0, 0, clients + direct + monitoring, 0, maxConnections, reserve);
                continue;
            }

            // Behind the poolers: the worker's LISTEN (DATABASE_LISTEN_URL), the migrator and the backup connect directly.
            var standbyClients = standbyPooler is null ? 0 : apiPods * poolMax;
            var primary = ServerConnections(primaryPooler) + workerPods + direct + monitoring;
            var standby = instances > 1 && standbyPooler is not null ? ServerConnections(standbyPooler) + monitoring : 0;
            yield return new ConnectionBudget(
                overlay, size, apiPods, workerPods, clients, ClientCapacity(primaryPooler), standbyClients, standbyPooler is null ? 0 : ClientCapacity(standbyPooler), primary, standby, maxConnections, reserve);
        }
    }

    /// <summary>The settings the pods read: the env file's ConfigMap, then the site's.</summary>
    private static Dictionary<string, string> Settings(Manifest manifest)
    {
        var api = manifest.Get<V1Deployment>("api").Spec.Template.Spec.Containers.Single();
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in api.EnvFrom)
        {
            foreach (var (key, value) in manifest.Get<V1ConfigMap>(source.ConfigMapRef.Name).Data ?? new Dictionary<string, string>())
            {
                settings[key] = value;
            }
        }

        return settings;
    }

    private static int Number(Dictionary<string, string> settings, string key, int fallback) =>
        settings.TryGetValue(key, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    /// <summary>The pods of a Deployment at its autoscaler's bounds (or its fixed count); at the top, with the rollout's surge.</summary>
    private static int Pods(Manifest manifest, string name, bool max)
    {
        var deployment = manifest.Get<V1Deployment>(name);
        var hpa = manifest.All<V2HorizontalPodAutoscaler>().SingleOrDefault(h => h.Spec.ScaleTargetRef.Name == name);
        var scaledObject = manifest.OfKind("ScaledObject").SingleOrDefault(s => s.Scalar("spec.scaleTargetRef.name") == name);
        var pods = (hpa, scaledObject) switch
        {
            ({ } h, _) => max ? h.Spec.MaxReplicas : h.Spec.MinReplicas ?? 1,
            (_, { } s) => int.Parse(s.Scalar(max ? "spec.maxReplicaCount" : "spec.minReplicaCount") ?? "1", CultureInfo.InvariantCulture),
            _ => deployment.Spec.Replicas ?? 1,
        };
        return max ? pods + Surge(deployment.Spec.Strategy?.RollingUpdate?.MaxSurge, pods) : pods;
    }

    /// <summary>maxSurge as Kubernetes reads it: a count, or a percentage rounded up (default 25%).</summary>
    private static int Surge(IntOrString? surge, int pods)
    {
        var value = surge?.Value ?? "25%";
        return value.EndsWith('%')
            ? (int)Math.Ceiling(pods * int.Parse(value[..^1], CultureInfo.InvariantCulture) / 100.0)
            : int.Parse(value, CultureInfo.InvariantCulture);
    }

    private static string Parameter(ManifestObject pooler, string name) =>
        pooler.Scalar("spec.pgbouncer.parameters." + name) ?? throw new InvalidDataException($"{pooler.Id} sets no {name}");

    private static int PoolerNumber(ManifestObject pooler, string name) => int.Parse(Parameter(pooler, name), CultureInfo.InvariantCulture);

    private static int PoolerPods(ManifestObject pooler) => int.Parse(pooler.Scalar("spec.instances") ?? "1", CultureInfo.InvariantCulture);

    /// <summary>Clients the pooler accepts with one of its pods down (all of them when it has one).</summary>
    private static int ClientCapacity(ManifestObject pooler) => Math.Max(1, PoolerPods(pooler) - 1) * PoolerNumber(pooler, "max_client_conn");

    /// <summary>Server connections all its pods may open: max_db_connections each (it caps the pool and the reserve).</summary>
    private static int ServerConnections(ManifestObject pooler) => PoolerPods(pooler) * PoolerNumber(pooler, "max_db_connections");

    /// <summary>max_connections of each instance and how many instances there are.</summary>
    private static (int MaxConnections, int Instances) Database(Manifest manifest)
    {
        if (manifest.OfKind("Cluster").SingleOrDefault() is { } cluster)
        {
            return (int.Parse(cluster.Scalar("spec.postgresql.parameters.max_connections") ?? "100", CultureInfo.InvariantCulture),
                int.Parse(cluster.Scalar("spec.instances") ?? "1", CultureInfo.InvariantCulture));
        }

        var args = manifest.Get<V1StatefulSet>("postgres").Spec.Template.Spec.Containers.Single(c => c.Name == "postgres").Args ?? [];
        var setting = args.SingleOrDefault(a => a.StartsWith("max_connections=", StringComparison.Ordinal));
        return (setting is null ? 100 : int.Parse(setting["max_connections=".Length..], CultureInfo.InvariantCulture), 1);
    }
}
