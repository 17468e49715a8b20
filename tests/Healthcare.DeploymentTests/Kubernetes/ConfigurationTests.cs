using System.Text.RegularExpressions;
using Healthcare.Testing;
using k8s.Models;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>Settings come from the repository's env files, secrets from the documented Secret keys, and nothing is undeclared.</summary>
public sealed partial class ConfigurationTests
{
    private static readonly string[] S3Credentials = ["accessKeyId", "secretAccessKey"];

    public static TheoryData<string, string> EnvFiles => new()
    {
        { "local", ".env.development" },
        { "staging", ".env.staging" },
        { "production", ".env.production" },
    };

    [Theory]
    [MemberData(nameof(EnvFiles))]
    public void EachOverlayCarriesAnExactCopyOfItsEnvFile(string overlay, string envFile)
    {
        var original = File.ReadAllText(Path.Combine(RepositoryPaths.Root, envFile));
        var copy = Path.Combine(Kustomize.KubernetesDir, "overlays", overlay, "app.env");
        var actual = File.ReadAllText(Path.Combine(RepositoryPaths.Root, copy));
        Assert.True(original == actual, $"{copy} differs from {envFile}; run: cp {envFile} {copy}");
    }

    [Theory]
    [MemberData(nameof(EnvFiles))]
    public void TheBackendPodsReadTheEnvFileSettingsFromAConfigMap(string overlay, string envFile)
    {
        var manifest = Kustomize.Overlay(overlay);
        var expected = ReadEnvFile(envFile);
        var api = manifest.Get<V1Deployment>("api").Spec.Template.Spec.Containers.Single();
        var configMaps = api.EnvFrom.Select(e => manifest.Get<V1ConfigMap>(e.ConfigMapRef.Name)).ToList();

        var fromEnvFile = Assert.Single(configMaps, c => c.Metadata.Name.StartsWith("healthcare-config", StringComparison.Ordinal));
        Assert.Equal(expected, fromEnvFile.Data.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));

        // The deployment's own settings come after the env file and are not secrets.
        var site = Assert.Single(configMaps, c => c.Metadata.Name.StartsWith("healthcare-site", StringComparison.Ordinal));
        Assert.Equal(fromEnvFile.Metadata.Name, api.EnvFrom[0].ConfigMapRef.Name);
        Assert.Equal("9464", site.Data["METRICS_PORT"]);
        Assert.All(site.Data.Keys, key => Assert.DoesNotMatch("PASSWORD|SECRET|_KEY|_URL$", key.Replace("PUBLIC_APP_URL", "", StringComparison.Ordinal)));
        Assert.All(manifest.Workloads().Where(w => w.Name is "worker" or "migrate"), w =>
            Assert.Equal(api.EnvFrom.Select(e => e.ConfigMapRef.Name), w.Template.Spec.Containers.Single().EnvFrom.Select(e => e.ConfigMapRef.Name)));
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void EveryConfigMapAndSecretAPodReadsIsDeclared(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var configMaps = manifest.All<V1ConfigMap>().ToDictionary(c => c.Metadata.Name, c => c.Data ?? new Dictionary<string, string>());
        var secretKeys = DocumentedSecretKeys();
        var databaseSecrets = DocumentedDatabaseSecrets();
        var failures = new List<string>();

        void Secret(string where, string name, string? key)
        {
            if (databaseSecrets.ContainsKey(name))
            {
                // kubernetes.io/basic-auth, with the role's DATABASE_URL next to its username and password.
                if (key is not (null or "username" or "password" or "uri" or "listen-uri"))
                {
                    failures.Add($"{where}: the database Secret {name} has no key {key}");
                }
            }
            else if (name != "healthcare-secrets")
            {
                failures.Add($"{where}: Secret {name} is not one the runbook documents");
            }
            else if (key is not null && !secretKeys.Contains(key))
            {
                failures.Add($"{where}: key {key} of healthcare-secrets is not in the runbook's Secrets table");
            }
        }

        void ConfigMapKey(string where, string name, string? key)
        {
            if (!configMaps.TryGetValue(name, out var data))
            {
                failures.Add($"{where}: ConfigMap {name} does not exist");
            }
            else if (key is not null && !data.ContainsKey(key))
            {
                failures.Add($"{where}: ConfigMap {name} has no key {key}");
            }
        }

        foreach (var workload in manifest.Workloads())
        {
            foreach (var container in workload.AllContainers)
            {
                var where = $"{workload}/{container.Name}";
                foreach (var env in container.Env ?? [])
                {
                    if (env.ValueFrom?.SecretKeyRef is { } secretRef)
                    {
                        Secret($"{where} {env.Name}", secretRef.Name, secretRef.Key);
                    }

                    if (env.ValueFrom?.ConfigMapKeyRef is { } configRef)
                    {
                        ConfigMapKey($"{where} {env.Name}", configRef.Name, configRef.Key);
                    }
                }

                foreach (var source in container.EnvFrom ?? [])
                {
                    if (source.ConfigMapRef is not null)
                    {
                        ConfigMapKey(where, source.ConfigMapRef.Name, null);
                    }

                    if (source.SecretRef is not null)
                    {
                        failures.Add($"{where}: envFrom a whole Secret hides which keys it reads");
                    }
                }
            }

            foreach (var volume in workload.Template.Spec.Volumes ?? [])
            {
                if (volume.ConfigMap is not null)
                {
                    ConfigMapKey($"{workload} volume {volume.Name}", volume.ConfigMap.Name, null);
                    foreach (var item in volume.ConfigMap.Items ?? [])
                    {
                        ConfigMapKey($"{workload} volume {volume.Name}", volume.ConfigMap.Name, item.Key);
                    }
                }

                if (volume.Secret is not null)
                {
                    Secret($"{workload} volume {volume.Name}", volume.Secret.SecretName, null);
                }
            }
        }

        foreach (var cluster in manifest.OfKind("Cluster"))
        {
            foreach (var credential in S3Credentials)
            {
                var path = $"spec.backup.barmanObjectStore.s3Credentials.{credential}";
                Secret($"{cluster.Id} {credential}", cluster.Scalar(path + ".name") ?? "", cluster.Scalar(path + ".key"));
            }

            foreach (var secret in DatabaseRolesTests.ClusterSecrets(cluster))
            {
                Secret($"{cluster.Id} role secret", secret, null);
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public void EveryDocumentedDatabaseSecretIsUsed()
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var overlay in Kustomize.Overlays)
        {
            var manifest = Kustomize.Overlay(overlay);
            used.UnionWith(manifest.Workloads().SelectMany(w => w.AllContainers).SelectMany(c => c.Env ?? [])
                .Select(e => e.ValueFrom?.SecretKeyRef?.Name).OfType<string>());
            used.UnionWith(manifest.OfKind("Cluster").SelectMany(DatabaseRolesTests.ClusterSecrets));
        }

        Assert.Subset(used, DocumentedDatabaseSecrets().Keys.ToHashSet(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryDocumentedSecretKeyIsUsed()
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var overlay in Kustomize.Overlays)
        {
            var manifest = Kustomize.Overlay(overlay);
            used.UnionWith(manifest.Workloads().SelectMany(w => w.AllContainers).SelectMany(c => c.Env ?? [])
                .Select(e => e.ValueFrom?.SecretKeyRef).Where(r => r?.Name == "healthcare-secrets").Select(r => r!.Key));
            used.UnionWith(manifest.OfKind("Cluster").SelectMany(c => S3Credentials
                .Select(k => c.Scalar($"spec.backup.barmanObjectStore.s3Credentials.{k}.key")!)));
            if (manifest.Workloads().Any(w => (w.Template.Spec.Volumes ?? []).Any(v => v.Secret?.SecretName == "healthcare-secrets")))
            {
                // The signing keys are the Secret's *.pem files in JWT_SIGNING_KEYS_DIR.
                used.Add("<key id>.pem");
            }
        }

        Assert.Equal(DocumentedSecretKeys().Order(StringComparer.Ordinal), used.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void TheBackendReadsOnlySettingsItDocuments(string overlay)
    {
        var manifest = Kustomize.Overlay(overlay);
        var declared = ReadDeclaredVariables();
        foreach (var workload in manifest.Workloads())
        {
            foreach (var container in workload.AllContainers.Where(WorkloadPolicyTests.IsBackendImage))
            {
                var names = (container.Env ?? []).Select(e => e.Name)
                    .Concat((container.EnvFrom ?? []).SelectMany(e => manifest.Get<V1ConfigMap>(e.ConfigMapRef.Name).Data.Keys));
                Assert.All(names, name => Assert.True(declared.Contains(name), $"{workload}: {name} is not in .env.example"));
            }
        }
    }

    /// <summary>The widest range a non-local overlay may trust for X-Forwarded-For (docs/operations/kubernetes.md, "Trusted proxies").</summary>
    public const int WidestIPv4Prefix = 24;

    public const int WidestIPv6Prefix = 64;

    [Theory]
    [MemberData(nameof(Kustomize.OverlayNames), MemberType = typeof(Kustomize))]
    public void TrustedProxiesMatchTheRunbookAndOutsideLocalNameTheIngressPodsNarrowly(string overlay)
    {
        var site = Kustomize.Overlay(overlay).All<V1ConfigMap>().Single(c => c.Metadata.Name.StartsWith("healthcare-site", StringComparison.Ordinal));
        var value = site.Data["TRUSTED_PROXIES"];
        var documented = RunbookTables.Table("Trusted proxies").Single(r => r["Overlay"] == overlay);
        Assert.Equal(RunbookTables.CodeSpans(documented["`TRUSTED_PROXIES`"]).Single(), value);

        var entries = value.Split(',', StringSplitOptions.TrimEntries);
        Assert.NotEmpty(entries);
        if (overlay != "local")
        {
            Assert.All(entries, entry => Assert.True(!TooWide(entry), $"{overlay}: TRUSTED_PROXIES trusts {entry}, wider than a /{WidestIPv4Prefix} (IPv6 /{WidestIPv6Prefix})"));
        }
    }

    [Theory]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("10.244.0.0/16", true)]
    [InlineData("10.244.10.0/23", true)]
    [InlineData("fd00::/48", true)]
    [InlineData("10.244.10.0/24", false)]
    [InlineData("10.244.10.17", false)]
    [InlineData("fd00:10:244:10::/64", false)]
    public void TheWidthCheckRefusesRangesBeyondTheLimit(string entry, bool tooWide) => Assert.Equal(tooWide, TooWide(entry));

    /// <summary>Whether one TRUSTED_PROXIES entry (an address or a CIDR range) is wider than the limit; a malformed one is too.</summary>
    private static bool TooWide(string entry)
    {
        var parts = entry.Split('/');
        if (!System.Net.IPAddress.TryParse(parts[0], out var address) || parts.Length > 2)
        {
            return true;
        }

        if (parts.Length == 1)
        {
            return false;
        }

        var widest = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? WidestIPv6Prefix : WidestIPv4Prefix;
        return !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix) || prefix < widest;
    }

    [Fact]
    public void NoSecretValueIsCommittedInTheKubernetesFiles()
    {
        var root = Path.Combine(RepositoryPaths.Root, Kustomize.KubernetesDir);
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            Assert.DoesNotContain("-----BEGIN", text, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"(?m)^\s*kind:\s*Secret\s*$", text);
            Assert.DoesNotMatch(@"(?im)^(?!\s*#).*(password|secret|key)\s*[=:]\s*['""]?[A-Za-z0-9+/]{24,}", text);
        }
    }

    /// <summary>The keys of healthcare-secrets listed in the runbook's table of the application Secret.</summary>
    public static IReadOnlySet<string> DocumentedSecretKeys() =>
        RunbookTables.Table("Application Secret").SelectMany(row => RunbookTables.CodeSpans(row["Key"])).ToHashSet(StringComparer.Ordinal);

    /// <summary>The runbook's database Secrets, each with the role whose credentials it holds.</summary>
    public static IReadOnlyDictionary<string, string> DocumentedDatabaseSecrets() =>
        RunbookTables.Table("Database Secrets").ToDictionary(
            row => RunbookTables.CodeSpans(row["Secret"]).Single(),
            row => RunbookTables.CodeSpans(row["Role"]).First(),
            StringComparer.Ordinal);

    private static Dictionary<string, string> ReadEnvFile(string envFile)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadAllLines(Path.Combine(RepositoryPaths.Root, envFile)))
        {
            var match = Assignment().Match(line);
            if (match.Success)
            {
                values[match.Groups[1].Value] = match.Groups[2].Value;
            }
        }

        return values;
    }

    private static HashSet<string> ReadDeclaredVariables() =>
        File.ReadAllLines(Path.Combine(RepositoryPaths.Root, ".env.example"))
            .Select(line => DeclaredVariable().Match(line))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"^([A-Z][A-Z0-9_]*)=(.*)$")]
    private static partial Regex Assignment();

    // .env.example also lists optional variables commented out ("# HTTPS_PORT=8443").
    [GeneratedRegex(@"^#?\s*([A-Z][A-Z0-9_]*)=")]
    private static partial Regex DeclaredVariable();
}
