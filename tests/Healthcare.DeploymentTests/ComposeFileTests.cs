using System.Globalization;
using System.Text.RegularExpressions;
using Healthcare.Testing;

namespace Healthcare.DeploymentTests;

/// <summary>
/// The Compose files, checked without Docker: valid against the Compose Specification (dclint), every
/// setting the API and worker demand provided, and the production file's exposure, sizing and start order.
/// </summary>
public sealed partial class ComposeFileTests
{
    public const string Dev = "docker-compose.dev.yml";
    public const string Prod = "docker-compose.prod.yml";

    private static readonly string[] AppServices = ["migrate", "api", "worker"];

    [Fact]
    public async Task BothFilesAreValidComposeSpecificationAndLintClean()
    {
        var result = await Tool.RunAsync(Tool.Dclint(),
            ["-c", Tool.DevopsPath("docker", ".dclintrc.json"), "--max-warnings", "0", "--color", "false",
             Tool.DevopsPath("docker", Dev), Tool.DevopsPath("docker", Prod)]);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task TheValidatorRejectsWhatTheSpecificationDoesNot()
    {
        // The same validator on a copy with a misspelt key must fail, or the check above proves nothing.
        using var temp = new TempDirectory();
        var broken = temp.File("docker-compose.yml");
        var text = await File.ReadAllTextAsync(Tool.DevopsPath("docker", Prod));
        await File.WriteAllTextAsync(broken, text.Replace("    healthcheck:\n", "    health_check:\n", StringComparison.Ordinal));

        var result = await Tool.RunAsync(Tool.Dclint(), ["-c", Tool.DevopsPath("docker", ".dclintrc.json"), "--color", "false", broken]);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("invalid-schema", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Dev, "dev")]
    [InlineData(Prod, "prod")]
    public async Task EverySettingTheApiAndWorkerDemandIsProvided(string file, string environment)
    {
        var compose = ComposeFile.Load(file);
        using var secrets = await GenerateSecretsAsync(environment);

        foreach (var name in AppServices)
        {
            var service = compose.Services[name];
            var settings = ResolveEnvironment(compose, service, secrets.Path, environment);
            var dll = name == "worker" ? RepositoryPaths.WorkerDll : RepositoryPaths.ApiDll;
            var required = await RequiredSettingsAsync(dll, settings.GetValueOrDefault("DOTNET_ENVIRONMENT") ?? "Production");

            Assert.NotEmpty(required);
            var missing = required.Where(variable => string.IsNullOrEmpty(settings.GetValueOrDefault(variable))).ToList();
            Assert.True(missing.Count == 0, $"{file}: service {name} lacks {string.Join(", ", missing)}");
        }
    }

    [Theory]
    [InlineData(Dev, "dev")]
    [InlineData(Prod, "prod")]
    public async Task TheMigratorConnectsAsTheOwnerAndTheApiAndWorkerAsTheRuntimeRoleOnly(string file, string environment)
    {
        var compose = ComposeFile.Load(file);
        using var secrets = await GenerateSecretsAsync(environment);
        var postgres = ComposeFile.ReadEnvFile(Path.Combine(secrets.Path, "postgres.env"));
        var owner = postgres["HEALTHCARE_OWNER_PASSWORD"];
        Assert.NotEqual(postgres["POSTGRES_PASSWORD"], owner);

        var migrate = ResolveEnvironment(compose, compose.Services["migrate"], secrets.Path, environment);
        Assert.Equal(("healthcare", owner), Credentials(migrate["DATABASE_URL"]));

        foreach (var name in new[] { "api", "worker" })
        {
            var service = compose.Services[name];
            var settings = ResolveEnvironment(compose, service, secrets.Path, environment);
            Assert.Equal(("healthcare_app", postgres["HEALTHCARE_APP_PASSWORD"]), Credentials(settings["DATABASE_URL"]));
            AssertNeverSees(service, settings, secrets.Path, [owner, postgres["POSTGRES_PASSWORD"], postgres["HEALTHCARE_BACKUP_PASSWORD"]]);
        }

        if (environment == "prod")
        {
            // Backups read as the read-only role, and know no other database password.
            var backup = compose.Services["backup"];
            var settings = ResolveEnvironment(compose, backup, secrets.Path, environment);
            Assert.Equal(("healthcare_backup", postgres["HEALTHCARE_BACKUP_PASSWORD"]), Credentials(settings["DATABASE_URL"]));
            AssertNeverSees(backup, settings, secrets.Path, [owner, postgres["POSTGRES_PASSWORD"], postgres["HEALTHCARE_APP_PASSWORD"]]);
            Assert.Equal(["backup"], backup.Profiles);
            Assert.Contains(backup.Volumes, v => v.Source == "../scripts/backup" && v.Target == "/opt/healthcare-backup");
            Assert.StartsWith("/opt/healthcare-backup/backup.sh", string.Join(' ', ComposeFile.List(backup["entrypoint"])), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(Dev, "dev")]
    [InlineData(Prod, "prod")]
    public async Task PostgresCreatesTheRolesOnItsFirstStartWithTheGeneratedPasswords(string file, string environment)
    {
        var postgres = ComposeFile.Load(file).Services["postgres"];

        // The image runs the executable scripts of /docker-entrypoint-initdb.d when it creates the data directory.
        var (source, target) = Assert.Single(postgres.Volumes, v => v.Target.StartsWith("/docker-entrypoint-initdb.d/", StringComparison.Ordinal));
        Assert.EndsWith(".sh", target, StringComparison.Ordinal);
        var script = Path.GetFullPath(Path.Combine(ComposeFile.Load(file).Directory, source));
        Assert.Equal(Path.Combine(RepositoryPaths.Root, "devops", "scripts", "postgres", "init-roles.sh"), script);
        Assert.True((File.GetUnixFileMode(script) & UnixFileMode.OtherExecute) != 0, $"{script} is not executable: the image would source it");

        // The bootstrap superuser is postgres: the owner of the data is an ordinary role.
        Assert.Equal("postgres", postgres.Environment["POSTGRES_USER"]);
        Assert.False(postgres.Environment.ContainsKey("POSTGRES_DB"), "the roles script creates the database, owned by healthcare");

        using var secrets = await GenerateSecretsAsync(environment);
        var env = ComposeFile.ReadEnvFile(Path.Combine(secrets.Path, "postgres.env"));
        foreach (var variable in new[] { "POSTGRES_PASSWORD", "HEALTHCARE_OWNER_PASSWORD", "HEALTHCARE_APP_PASSWORD", "HEALTHCARE_BACKUP_PASSWORD" })
        {
            Assert.Matches("^[0-9a-f]{48}$", env[variable]);
        }

        Assert.Equal(4, env.Values.Distinct().Count());
        Assert.Equal([$"secrets/{environment}/postgres.env"], postgres.EnvFiles);
    }

    [Fact]
    public async Task TheApiStartsWithTheProductionEnvironmentAndGeneratedSecrets()
    {
        // Everything the api service gets (env files, environment, the mounted key directory), run for real;
        // only the database and Redis host names point at loopback, where nothing answers, and the port is free.
        var compose = ComposeFile.Load(Prod);
        using var secrets = await GenerateSecretsAsync("prod");
        var api = compose.Services["api"];
        var settings = ResolveEnvironment(compose, api, secrets.Path, "prod")
            .ToDictionary(e => e.Key, e => (string?)e.Value);
        settings["DATABASE_URL"] = settings["DATABASE_URL"]!.Replace("@pgbouncer:", "@127.0.0.1:", StringComparison.Ordinal);
        settings["DATABASE_LISTEN_URL"] = settings["DATABASE_LISTEN_URL"]!.Replace("@postgres:", "@127.0.0.1:", StringComparison.Ordinal);
        settings["REDIS_URL"] = settings["REDIS_URL"]!.Replace("@redis:", "@127.0.0.1:", StringComparison.Ordinal);
        settings["HTTP_PORT"] = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        settings["LISTEN_ADDRESS"] = "127.0.0.1";
        settings.Remove("METRICS_PORT");

        await using var process = await HostProcess.StartServingAsync(RepositoryPaths.ApiDll, settings);

        Assert.False(process.HasExited);
    }

    [Fact]
    public void InProductionOnlyHaproxyPublishesPortsAndOnly80And443()
    {
        var services = ComposeFile.Load(Prod).Services;

        Assert.Equal(["80:8080", "443:8443"], services["haproxy"].Ports);
        foreach (var service in services.Values.Where(s => s.Name != "haproxy"))
        {
            Assert.True(service.Ports.Count == 0, $"{service.Name} publishes {string.Join(", ", service.Ports)}");
            Assert.False(service.Has("network_mode"), $"{service.Name} must not share the host's network");
        }
    }

    [Fact]
    public void InProductionTheDataTierHasNoWayOut()
    {
        var compose = ComposeFile.Load(Prod);

        Assert.Equal("true", ComposeFile.Map(compose.Networks["backend"])["internal"]);
        Assert.Equal(["backend"], compose.Services["postgres"].Networks);
        Assert.Equal(["backend"], compose.Services["redis"].Networks);
        Assert.DoesNotContain("backend", compose.Services["haproxy"].Networks);
    }

    [Fact]
    public void TheApiTrustsForwardedHeadersFromHaproxyAlone()
    {
        var services = ComposeFile.Load(Prod).Services;
        var haproxyAddress = (string)ComposeFile.Map(ComposeFile.Map(services["haproxy"]["networks"])["edge"])["ipv4_address"]!;

        Assert.Equal(haproxyAddress, services["api"].Environment["TRUSTED_PROXIES"]);
    }

    [Theory]
    [InlineData("api", "4", "4G")]
    [InlineData("postgres", "4", "8G")]
    [InlineData("redis", "2", "2G")]
    [InlineData("worker", "2", "2G")]
    public void ProductionResourceLimitsFollowTheSizing(string service, string cpus, string memory)
    {
        var limits = ComposeFile.Load(Prod).Services[service].Limits;

        Assert.Equal(cpus, limits["cpus"]);
        Assert.Equal(memory, limits["memory"]);
    }

    [Fact]
    public void ProductionRunsThreeApiReplicas()
    {
        var deploy = ComposeFile.Map(ComposeFile.Load(Prod).Services["api"]["deploy"]);

        Assert.Equal("3", deploy["replicas"]);
    }

    [Fact]
    public void ProductionAppContainersHaveAReadOnlyRootAndAWritableTmp()
    {
        var services = ComposeFile.Load(Prod).Services;

        foreach (var name in AppServices)
        {
            Assert.Equal("true", services[name]["read_only"]);
            Assert.Contains(ComposeFile.List(services[name]["tmpfs"]), t => ((string)t!).Split(':')[0] == "/tmp");
        }
    }

    [Theory]
    [InlineData(Dev)]
    [InlineData(Prod)]
    public void ApiAndWorkerStartOnlyAfterTheMigratorSucceeded(string file)
    {
        var services = ComposeFile.Load(file).Services;

        Assert.Equal("service_completed_successfully", services["api"].DependsOnCondition("migrate"));
        Assert.Equal("service_completed_successfully", services["worker"].DependsOnCondition("migrate"));
        Assert.Equal("service_healthy", services["migrate"].DependsOnCondition("postgres"));
        Assert.Contains("migrate", services["migrate"].Command, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Dev)]
    [InlineData(Prod)]
    public void ServersRestartAndReportTheirHealth(string file)
    {
        foreach (var service in ComposeFile.Load(file).Services.Values.Where(s => s.Name != "migrate" && s.Profiles.Count == 0))
        {
            Assert.True(service["restart"] is "unless-stopped" or "always", $"{service.Name} has restart '{service["restart"]}'");
            Assert.True(service.Has("healthcheck"), $"{service.Name} has no health check");
        }
    }

    [Theory]
    [InlineData(Dev)]
    [InlineData(Prod)]
    public void RedisKeepsAnAppendOnlyFileAndEvictsLeastRecentlyUsedKeys(string file)
    {
        var command = ComposeFile.Load(file).Services["redis"].Command;

        Assert.Contains("--appendonly yes", command, StringComparison.Ordinal);
        Assert.Contains("--appendfsync everysec", command, StringComparison.Ordinal);
        Assert.Matches(@"--maxmemory \d+mb", command);
        Assert.Contains("--maxmemory-policy allkeys-lru", command, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Dev)]
    [InlineData(Prod)]
    public void ImagesArePinnedAndPostgresIsVersion16(string file)
    {
        foreach (var service in ComposeFile.Load(file).Services.Values.Where(s => s.Image is not null))
        {
            // ${HEALTHCARE_IMAGE:-healthcare-backend:local}: the default is what is checked.
            var image = DefaultOf().Replace(service.Image!, "$1");
            Assert.Matches(@"^[\w./-]+:([0-9][\w.-]*|local)$", image);
        }

        Assert.StartsWith("postgres:16.", ComposeFile.Load(file).Services["postgres"].Image, StringComparison.Ordinal);
    }

    [Fact]
    public void DevelopmentPublishesOnLoopbackOnlyAndOffersTheTools()
    {
        var services = ComposeFile.Load(Dev).Services;

        foreach (var service in services.Values)
        {
            Assert.All(service.Ports, port => Assert.StartsWith("127.0.0.1:", port, StringComparison.Ordinal));
        }

        Assert.Equal(["127.0.0.1:8088:8088"], services["api"].Ports);
        foreach (var tool in new[] { "pgadmin", "redis-commander", "adminer" })
        {
            Assert.Equal(["tools"], services[tool].Profiles);
        }

        Assert.Contains("watch", services["api"].Command, StringComparison.Ordinal);
        Assert.Contains("seed", services["migrate"].Command, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretsStayOutOfGit()
    {
        var ignored = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, ".gitignore"));
        Assert.Contains("devops/docker/secrets/", ignored);

        foreach (var file in new[] { ".env.development", ".env.staging", ".env.production" })
        {
            var settings = ComposeFile.ReadEnvFile(Path.Combine(RepositoryPaths.Root, file));
            var secret = settings.Keys.Where(k => SecretName().IsMatch(k)).ToList();
            Assert.True(secret.Count == 0, $"{file} sets {string.Join(", ", secret)}");
        }
    }

    private static (string User, string Password) Credentials(string databaseUrl)
    {
        var userInfo = new Uri(databaseUrl).UserInfo.Split(':', 2);
        return (Uri.UnescapeDataString(userInfo[0]), Uri.UnescapeDataString(userInfo[1]));
    }

    /// <summary>None of <paramref name="passwords"/> is in the service's environment or in a file of the secrets it mounts.</summary>
    private static void AssertNeverSees(ComposeFile.Service service, Dictionary<string, string> settings, string secrets, string[] passwords)
    {
        foreach (var password in passwords)
        {
            Assert.DoesNotContain(settings, s => s.Value.Contains(password, StringComparison.Ordinal));
        }

        foreach (var (source, _) in service.Volumes.Where(v => v.Source.Contains("secrets/", StringComparison.Ordinal)))
        {
            var mounted = Path.Combine(secrets, source[(source.IndexOf("secrets/", StringComparison.Ordinal) + "secrets/".Length)..].Split('/', 2)[1]);
            var files = Directory.Exists(mounted) ? Directory.GetFiles(mounted, "*", SearchOption.AllDirectories) : [mounted];
            Assert.All(files, f => Assert.DoesNotContain(passwords, p => File.ReadAllText(f).Contains(p, StringComparison.Ordinal)));
        }
    }

    /// <summary>Runs init-secrets.sh into a temporary directory, as `make start` / an operator would.</summary>
    private static async Task<TempDirectory> GenerateSecretsAsync(string environment)
    {
        var temp = new TempDirectory();
        var result = await Tool.RunAsync(Tool.DevopsPath("scripts", "docker", "init-secrets.sh"), [environment, "--dir", temp.Path]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return temp;
    }

    /// <summary>
    /// The environment a service's container gets: its env files in order, then its environment map; paths of
    /// mounted directories (the signing keys) translated to where they are on this machine.
    /// </summary>
    private static Dictionary<string, string> ResolveEnvironment(ComposeFile compose, ComposeFile.Service service, string secrets, string environment)
    {
        var prefix = $"secrets/{environment}/";
        string HostPath(string path) => path.StartsWith(prefix, StringComparison.Ordinal) || path.StartsWith("./" + prefix, StringComparison.Ordinal)
            ? Path.Combine(secrets, path[(path.IndexOf(prefix, StringComparison.Ordinal) + prefix.Length)..])
            : Path.GetFullPath(Path.Combine(compose.Directory, path));

        var settings = new Dictionary<string, string>();
        foreach (var file in service.EnvFiles)
        {
            foreach (var (key, value) in ComposeFile.ReadEnvFile(HostPath(file)))
            {
                settings[key] = value;
            }
        }

        foreach (var (key, value) in service.Environment)
        {
            settings[key] = value;
        }

        foreach (var (source, target) in service.Volumes)
        {
            foreach (var (key, value) in settings.Where(s => s.Value == target).ToList())
            {
                settings[key] = HostPath(source);
            }
        }

        return settings;
    }

    /// <summary>
    /// The variables a binary names when started with nothing set in the given environment: its own list of what it
    /// cannot run without, so the check follows the code rather than a copy of it.
    /// </summary>
    private static Task<HashSet<string>> RequiredSettingsAsync(string dll, string environmentName) =>
        RequiredSettings.GetOrAdd($"{dll}|{environmentName}", _ => AskBinaryAsync(dll, environmentName));

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Task<HashSet<string>>> RequiredSettings = new();

    private static async Task<HashSet<string>> AskBinaryAsync(string dll, string environmentName)
    {
        await using var process = HostProcess.Start(dll, new Dictionary<string, string?> { ["DOTNET_ENVIRONMENT"] = environmentName });
        var exitCode = await process.WaitForExitAsync();
        Assert.True(exitCode == Healthcare.ServiceDefaults.Hosting.StartupGuard.ConfigurationErrorExitCode, process.Describe());
        var message = string.Join('\n', process.StandardError);
        return [.. VariableName().Matches(message).Select(m => m.Value)];
    }

    [GeneratedRegex(@"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")]
    private static partial Regex VariableName();

    [GeneratedRegex(@"^\$\{[A-Z_]+:-([^}]+)\}$")]
    private static partial Regex DefaultOf();

    [GeneratedRegex("PASSWORD|SECRET|_KEY|KEYS|TOKEN|DATABASE_URL|REDIS_URL")]
    private static partial Regex SecretName();
}
