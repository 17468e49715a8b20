using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Healthcare.DeploymentTests.Monitoring;

/// <summary>
/// The Prometheus configurations of the Compose stacks (<c>promtool check config</c>), the ports they scrape compared with
/// the ones the Compose files give the API and the worker, and the Compose file that runs Prometheus and Grafana beside a stack.
/// </summary>
public sealed class PrometheusConfigTests
{
    private const string Overlay = "docker-compose.monitoring.yml";

    [Theory]
    [InlineData("prometheus.yml")]
    [InlineData("prometheus.dev.yml")]
    public async Task PromtoolAcceptsTheConfigurationAndTheRulesItLoads(string file)
    {
        var result = await Tool.RunAsync(Tool.Require("promtool"), ["check", "config", MonitoringFiles.PathOf(file)]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"SUCCESS: {MonitoringFiles.Rules().Count} rules found", result.Output, StringComparison.Ordinal);
        Assert.Equal([MonitoringFiles.AlertRules], ComposeFile.List(LoadCompose(MonitoringFiles.PathOf(file))["rule_files"]));
    }

    [Fact]
    public async Task PromtoolRejectsABrokenConfiguration()
    {
        using var temp = new TempDirectory();
        var text = await File.ReadAllTextAsync(MonitoringFiles.PathOf("prometheus.yml"));
        await File.WriteAllTextAsync(temp.File("prometheus.yml"), text.Replace("scrape_interval: 15s", "scrape_interval: often", StringComparison.Ordinal));
        File.Copy(MonitoringFiles.PathOf(MonitoringFiles.AlertRules), temp.File(MonitoringFiles.AlertRules));

        var result = await Tool.RunAsync(Tool.Require("promtool"), ["check", "config", temp.File("prometheus.yml")]);

        Assert.NotEqual(0, result.ExitCode);
    }

    [Fact]
    public void ProductionScrapesEveryApiReplicaOnItsManagementPortAndTheWorker()
    {
        var jobs = ScrapeJobs("prometheus.yml");
        var api = ComposeFile.Load(ComposeFileTests.Prod).Services["api"];

        // The alert rules and the dashboard select these job names, as the Kubernetes ServiceMonitors produce them.
        Assert.Equal(["api", "prometheus", "worker"], jobs.Keys.Order());
        var discovery = ComposeFile.Map(ComposeFile.List(jobs["api"]["dns_sd_configs"]).Single());
        Assert.Equal(["api"], ComposeFile.List(discovery["names"]));
        Assert.Equal("A", discovery["type"]);
        Assert.Equal(api.Environment["METRICS_PORT"], discovery["port"]);
        Assert.Equal(["worker:8089"], StaticTargets(jobs["worker"]));
        Assert.Contains("backend", ComposeFile.Load(ComposeFileTests.Prod).Services["worker"].Networks);
    }

    [Fact]
    public void DevelopmentScrapesTheApiOnItsMainPortAndTheWorker()
    {
        var jobs = ScrapeJobs("prometheus.dev.yml");
        var services = ComposeFile.Load(ComposeFileTests.Dev).Services;

        Assert.Equal(["api", "prometheus", "worker"], jobs.Keys.Order());
        Assert.False(services["api"].Environment.ContainsKey("METRICS_PORT"));
        Assert.Equal(["api:8088"], StaticTargets(jobs["api"]));
        Assert.Equal(["127.0.0.1:8088:8088"], services["api"].Ports);
        Assert.Equal(["worker:8089"], StaticTargets(jobs["worker"]));
        Assert.Equal(["127.0.0.1:8089:8089"], services["worker"].Ports);
    }

    [Fact]
    public async Task TheMonitoringServicesAreValidComposeAndMountFilesThatExist()
    {
        var path = MonitoringFiles.PathOf(Overlay);
        var lint = await Tool.RunAsync(Tool.Dclint(),
            ["-c", Tool.DevopsPath("docker", ".dclintrc.json"), "--max-warnings", "0", "--color", "false", path]);
        Assert.True(lint.ExitCode == 0, lint.ToString());

        var services = ComposeFile.Map(LoadCompose(path)["services"]);
        Assert.Equal(["grafana", "prometheus"], services.Keys.Cast<string>().Order());
        foreach (var (name, body) in services.Select(s => ((string)s.Key, ComposeFile.Map(s.Value))))
        {
            // Published on loopback only, in development and production alike.
            Assert.All(ComposeFile.List(body["ports"]), port => Assert.StartsWith("127.0.0.1:", (string)port!, StringComparison.Ordinal));
            Assert.Matches(@"^[\w./-]+:v?[0-9][\w.-]*$", (string)body["image"]!);
            // Relative paths resolve from devops/docker, the directory of the stack's own file, which comes first.
            foreach (var volume in ComposeFile.List(body["volumes"]).Select(v => ((string)v!).Split(':')[0]).Where(v => v.StartsWith('.')))
            {
                var source = Path.GetFullPath(Path.Combine(Tool.DevopsPath("docker"), volume));
                Assert.True(File.Exists(source) || Directory.Exists(source), $"{name} mounts {volume}, which does not exist");
            }
        }

        var prometheus = ComposeFile.Map(services["prometheus"]);
        Assert.Contains("backend", ComposeFile.List(prometheus["networks"]));
        var config = ComposeFile.List(prometheus["command"]).Cast<string>().Single(c => c.StartsWith("--config.file=", StringComparison.Ordinal));
        Assert.Equal("--config.file=/etc/prometheus/${PROMETHEUS_CONFIG:-prometheus.yml}", config);
        Assert.True(File.Exists(MonitoringFiles.PathOf("prometheus.dev.yml")));
        var grafana = ComposeFile.Map(services["grafana"]);
        Assert.StartsWith("${GRAFANA_ADMIN_PASSWORD:?", (string)ComposeFile.Map(grafana["environment"])["GF_SECURITY_ADMIN_PASSWORD"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void GrafanaProvisioningLoadsTheDashboardFromWhereComposeMountsIt()
    {
        var overlay = LoadCompose(MonitoringFiles.PathOf(Overlay));
        var volumes = ComposeFile.List(ComposeFile.Map(ComposeFile.Map(overlay["services"])["grafana"])["volumes"]).Cast<string>().ToList();
        var provider = MonitoringFiles.Sequence(MonitoringFiles.LoadYaml(MonitoringFiles.PathOf("grafana/provisioning/dashboards/healthcare-backend.yml")), "providers").Single();
        var dashboardDirectory = MonitoringFiles.Scalar(provider["options"], "path");
        var datasource = MonitoringFiles.Sequence(MonitoringFiles.LoadYaml(MonitoringFiles.PathOf("grafana/provisioning/datasources/prometheus.yml")), "datasources").Single();

        Assert.Contains($"../monitoring/{MonitoringFiles.Dashboard}:{dashboardDirectory}/healthcare-backend.json:ro", volumes);
        Assert.Contains("../monitoring/grafana/provisioning:/etc/grafana/provisioning:ro", volumes);
        Assert.Equal("prometheus", MonitoringFiles.Scalar(datasource, "type"));
        Assert.Equal("http://prometheus:9090", MonitoringFiles.Scalar(datasource, "url"));
    }

    private static Dictionary<string, Dictionary<object, object?>> ScrapeJobs(string file) =>
        ComposeFile.List(LoadCompose(MonitoringFiles.PathOf(file))["scrape_configs"])
            .Select(ComposeFile.Map)
            .ToDictionary(job => (string)job["job_name"]!);

    private static List<string> StaticTargets(Dictionary<object, object?> job) =>
        ComposeFile.List(job["static_configs"]).SelectMany(c => ComposeFile.List(ComposeFile.Map(c)["targets"])).Cast<string>().ToList();

    private static Dictionary<object, object?> LoadCompose(string path)
    {
        using var reader = new StreamReader(path);
        return new DeserializerBuilder().Build().Deserialize<Dictionary<object, object?>>(new MergingParser(new Parser(reader)));
    }
}
