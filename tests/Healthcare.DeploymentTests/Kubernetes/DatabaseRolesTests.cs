using Healthcare.Testing;
using k8s.Models;
using YamlDotNet.RepresentationModel;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>
/// Least privilege in the database: each workload connects as its own role with the credentials of that role's
/// Secret, the API and the worker can never get at the owner's, and PostgreSQL (the single instance's first start,
/// or the CloudNativePG Cluster) has the roles before the migrator grants them their privileges.
/// </summary>
public sealed class DatabaseRolesTests
{
    public const string OwnerSecret = "healthcare-db-owner";
    public const string AppSecret = "healthcare-db-app";
    public const string BackupSecret = "healthcare-db-backup";
    public const string SuperuserSecret = "healthcare-db-superuser";

    private static readonly string[] GroupRoles = ["healthcare_runtime", "healthcare_readonly"];

    /// <summary>What init-roles.sh reads from the StatefulSet's environment.</summary>
    private static readonly string[] ScriptVariables = ["HEALTHCARE_OWNER_PASSWORD", "HEALTHCARE_APP_PASSWORD", "HEALTHCARE_BACKUP_PASSWORD", "POSTGRES_USER"];

    /// <summary>The Secrets a CloudNativePG Cluster reads for its roles: bootstrap owner and managed roles' passwords.</summary>
    public static IEnumerable<string> ClusterSecrets(ManifestObject cluster)
    {
        if (cluster.Scalar("spec.bootstrap.initdb.secret.name") is { } owner)
        {
            yield return owner;
        }

        foreach (var role in ManagedRoles(cluster))
        {
            if (role.Scalar("passwordSecret.name") is { } secret)
            {
                yield return secret;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EachProcessConnectsWithTheCredentialsOfItsOwnRole(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var expected = new Dictionary<string, string>
        {
            ["api"] = AppSecret,
            ["worker"] = AppSecret,
            ["migrate"] = OwnerSecret,
            ["backup"] = BackupSecret,
        };

        foreach (var (name, secret) in expected)
        {
            var workload = manifest.Workloads().Single(w => w.Name == name);
            var urls = workload.AllContainers.SelectMany(c => c.Env ?? []).Where(e => e.Name == "DATABASE_URL").ToList();
            Assert.NotEmpty(urls);
            Assert.All(urls, url => Assert.Equal((secret, "uri"), (url.ValueFrom?.SecretKeyRef?.Name, url.ValueFrom?.SecretKeyRef?.Key)));
        }

        // The replica's URL, when there is one, is the API's own role's (healthcare_app): the runbook says so.
        var readUrl = manifest.Get<V1Deployment>("api").Spec.Template.Spec.Containers.Single().Env.Single(e => e.Name == "DATABASE_READ_URL");
        Assert.True(readUrl.ValueFrom.SecretKeyRef.Optional);
        var row = RunbookTables.Table("Application Secret").Single(r => r["Key"] == $"`{readUrl.ValueFrom.SecretKeyRef.Key}`");
        Assert.Contains("healthcare_app", row["Needed"], StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void TheApiAndTheWorkerCanNeverReadTheOwnersSecret(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        foreach (var name in new[] { "api", "worker" })
        {
            var workload = manifest.Workloads().Single(w => w.Name == name);
            var read = SecretsReadBy(workload).ToList();
            Assert.DoesNotContain(OwnerSecret, read);
            Assert.DoesNotContain(SuperuserSecret, read);
            Assert.DoesNotContain(BackupSecret, read);

            // Nor through the Kubernetes API: no token, and no binding for their accounts.
            var account = workload.Template.Spec.ServiceAccountName;
            Assert.False(workload.Template.Spec.AutomountServiceAccountToken ?? true);
            Assert.False(manifest.Get<V1ServiceAccount>(account).AutomountServiceAccountToken ?? true);
            Assert.DoesNotContain(manifest.All<V1RoleBinding>().SelectMany(b => b.Subjects ?? []), s => s.Kind == "ServiceAccount" && s.Name == account);
        }

        // The owner's Secret goes to the migrator (and PostgreSQL) only, and no Role lets anyone read it by name.
        Assert.Equal(
            ["migrate"],
            manifest.Workloads().Where(w => w.Name != "postgres" && SecretsReadBy(w).Contains(OwnerSecret)).Select(w => w.Name).Order());
        Assert.DoesNotContain(
            manifest.All<V1Role>().SelectMany(r => r.Rules).Where(r => r.Resources.Contains("secrets")),
            r => r.ResourceNames is null || r.ResourceNames.Contains(OwnerSecret));
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void TheMigratorWaitsForTheGroupRolesItGrants(string overlay)
    {
        var pod = Kustomize.Overlay(overlay).Get<V1Job>("migrate").Spec.Template.Spec;
        var wait = Assert.Single(pod.InitContainers ?? []);
        var script = string.Join('\n', wait.Command.Concat(wait.Args ?? []));

        Assert.All(GroupRoles, role => Assert.Contains($"'{role}'", script, StringComparison.Ordinal));
        Assert.Contains("until", script, StringComparison.Ordinal);
        // The password stays in the environment: the script never passes the URL to a program.
        Assert.DoesNotContain("psql \"$DATABASE_URL\"", script, StringComparison.Ordinal);
        Assert.Equal(OwnerSecret, Assert.Single(wait.Env, e => e.Name == "DATABASE_URL").ValueFrom.SecretKeyRef.Name);
    }

    [Theory]
    [InlineData("local")]
    public void TheSinglePostgreSqlCreatesTheRolesOnItsFirstStart(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var postgres = manifest.Get<V1StatefulSet>("postgres").Spec.Template.Spec;
        var container = postgres.Containers.Single();
        var env = container.Env.ToDictionary(e => e.Name);

        // The superuser is postgres; healthcare is an ordinary role that owns the database.
        Assert.Equal("postgres", env["POSTGRES_USER"].Value);
        Assert.False(env.ContainsKey("POSTGRES_DB"));
        Assert.Equal((SuperuserSecret, "password"), Reference(env["POSTGRES_PASSWORD"]));
        Assert.Equal((OwnerSecret, "password"), Reference(env["HEALTHCARE_OWNER_PASSWORD"]));
        Assert.Equal((AppSecret, "password"), Reference(env["HEALTHCARE_APP_PASSWORD"]));
        Assert.Equal((BackupSecret, "password"), Reference(env["HEALTHCARE_BACKUP_PASSWORD"]));

        // init-roles.sh, byte for byte, executable, where the image runs its first-start scripts.
        var mount = Assert.Single(container.VolumeMounts, m => m.MountPath == "/docker-entrypoint-initdb.d");
        var volume = Assert.Single(postgres.Volumes, v => v.Name == mount.Name).ConfigMap;
        Assert.Equal(Convert.ToInt32("555", 8), volume.DefaultMode);
        var item = Assert.Single(volume.Items);
        Assert.EndsWith(".sh", item.Path, StringComparison.Ordinal);
        var script = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "devops", "scripts", "postgres", "init-roles.sh"));
        Assert.Equal(script, manifest.Get<V1ConfigMap>(volume.Name).Data[item.Key]);
        Assert.All(ScriptVariables, variable => Assert.Contains(variable, script, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("staging")]
    [InlineData("production")]
    public void TheCloudNativePgClusterDeclaresTheFourRolesWithTheirLoginsAndMemberships(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var cluster = Assert.Single(manifest.OfKind("Cluster"));
        Assert.Equal("healthcare", cluster.Scalar("spec.bootstrap.initdb.owner"));
        Assert.Equal(OwnerSecret, cluster.Scalar("spec.bootstrap.initdb.secret.name"));
        Assert.DoesNotContain(manifest.OfKind("ConfigMap"), c => c.Name.StartsWith("postgres-init", StringComparison.Ordinal));

        var roles = ManagedRoles(cluster).ToDictionary(r => r.Scalar("name")!);
        Assert.Equal(["healthcare_app", "healthcare_backup", "healthcare_readonly", "healthcare_runtime"], roles.Keys.Order(StringComparer.Ordinal));
        var expected = new Dictionary<string, (bool Login, string? Member, string? Secret)>
        {
            ["healthcare_runtime"] = (false, null, null),
            ["healthcare_app"] = (true, "healthcare_runtime", AppSecret),
            ["healthcare_readonly"] = (false, null, null),
            ["healthcare_backup"] = (true, "healthcare_readonly", BackupSecret),
        };
        foreach (var (name, (login, member, secret)) in expected)
        {
            var role = roles[name];
            Assert.Equal(login ? "true" : "false", role.Scalar("login"));
            Assert.Equal(member is null ? [] : [member], Sequence(role, "inRoles"));
            Assert.Equal(secret, role.Scalar("passwordSecret.name"));
            Assert.NotEqual("absent", role.Scalar("ensure"));
            foreach (var power in new[] { "superuser", "createdb", "createrole", "replication", "bypassrls" })
            {
                Assert.True(role.Scalar(power) is null or "false", $"{name} has {power}");
            }
        }
    }

    [Fact]
    public void TheDatabaseSecretsAreThoseTheRunbookAndTheLocalClusterCreate()
    {
        var documented = ConfigurationTests.DocumentedDatabaseSecrets();
        var roles = new Dictionary<string, string>
        {
            [OwnerSecret] = "healthcare",
            [AppSecret] = "healthcare_app",
            [BackupSecret] = "healthcare_backup",
            [SuperuserSecret] = "postgres",
        };
        Assert.Equal(roles.OrderBy(p => p.Key), documented.OrderBy(p => p.Key));

        // The runbook's commands and `make k8s-local-deploy` create each one, as a basic-auth Secret with username, password and uri.
        var runbook = File.ReadAllText(Path.Combine(RepositoryPaths.Root, RunbookTables.Runbook));
        var local = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "devops", "scripts", "k8s", "local.sh"));
        foreach (var (secret, role) in roles)
        {
            Assert.Contains($"db_secret {secret} {role}", runbook, StringComparison.Ordinal);
            Assert.Contains($"ensure_database_secret {secret} {role}", local, StringComparison.Ordinal);
        }

        foreach (var text in new[] { runbook, local })
        {
            Assert.Contains("--type=kubernetes.io/basic-auth", text, StringComparison.Ordinal);
            Assert.Contains("username=", text, StringComparison.Ordinal);
            Assert.Contains("password=", text, StringComparison.Ordinal);
            Assert.Contains("uri=", text, StringComparison.Ordinal);
        }
    }

    private static (string? Name, string? Key) Reference(V1EnvVar variable) =>
        (variable.ValueFrom?.SecretKeyRef?.Name, variable.ValueFrom?.SecretKeyRef?.Key);

    /// <summary>Every Secret a pod template names: env, envFrom and volumes (projected ones included).</summary>
    private static IEnumerable<string> SecretsReadBy(Workload workload)
    {
        foreach (var container in workload.AllContainers)
        {
            foreach (var env in container.Env ?? [])
            {
                if (env.ValueFrom?.SecretKeyRef?.Name is { } name)
                {
                    yield return name;
                }
            }

            foreach (var source in container.EnvFrom ?? [])
            {
                if (source.SecretRef?.Name is { } name)
                {
                    yield return name;
                }
            }
        }

        foreach (var volume in workload.Template.Spec.Volumes ?? [])
        {
            if (volume.Secret?.SecretName is { } name)
            {
                yield return name;
            }

            foreach (var projected in volume.Projected?.Sources ?? [])
            {
                if (projected.Secret?.Name is { } secret)
                {
                    yield return secret;
                }
            }
        }
    }

    private static IEnumerable<ManifestObject> ManagedRoles(ManifestObject cluster) =>
        (cluster.At("spec.managed.roles") as YamlSequenceNode)?.Children.Cast<YamlMappingNode>()
            .Select(node => new ManifestObject(cluster.ApiVersion, "Role", "", null, "", node)) ?? [];

    private static List<string> Sequence(ManifestObject node, string path) =>
        (node.At(path) as YamlSequenceNode)?.Children.Select(c => ((YamlScalarNode)c).Value!).ToList() ?? [];
}
