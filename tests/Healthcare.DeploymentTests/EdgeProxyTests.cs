using System.Text.RegularExpressions;

namespace Healthcare.DeploymentTests;

/// <summary>
/// HAProxy's and nginx's own checkers accept the edge configurations, with certificates made for the test;
/// the behaviour the deployment relies on is stated in them.
/// </summary>
public sealed partial class EdgeProxyTests
{
    private static readonly string HaproxyConfig = Tool.DevopsPath("docker", "haproxy", "haproxy.cfg");
    private static readonly string NginxConfig = Tool.DevopsPath("nginx", "nginx.conf");

    [Fact]
    public async Task HaproxyAcceptsTheConfigurationAsShipped()
    {
        using var temp = new TempDirectory();

        // Outside Docker the name "api" does not resolve: HAProxy warns and starts with those slots disabled.
        var result = await CheckHaproxyAsync(temp, HaproxyConfig);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Configuration file is valid", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HaproxyAcceptsTheConfigurationWithLocalBackendsWithoutAWarning()
    {
        using var temp = new TempDirectory();
        var rendered = temp.File("haproxy.cfg");
        await File.WriteAllTextAsync(rendered, ServerTemplate().Replace(
            await File.ReadAllTextAsync(HaproxyConfig), "    server api-1 127.0.0.1:18081\n    server api-2 127.0.0.1:18082\n", 1));

        var result = await CheckHaproxyAsync(temp, rendered);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain("[WARNING]", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HaproxyRefusesABrokenConfiguration()
    {
        using var temp = new TempDirectory();
        var broken = temp.File("haproxy.cfg");
        await File.WriteAllTextAsync(broken, (await File.ReadAllTextAsync(HaproxyConfig)).Replace("balance roundrobin", "balance round-robin", StringComparison.Ordinal));

        var result = await CheckHaproxyAsync(temp, broken);

        Assert.NotEqual(0, result.ExitCode);
    }

    [Fact]
    public void HaproxyConfigurationStatesTheEdgeBehaviour()
    {
        var config = File.ReadAllText(HaproxyConfig);

        Assert.Contains("balance roundrobin", config, StringComparison.Ordinal);
        Assert.Contains("http-check send meth GET uri /health/ready", config, StringComparison.Ordinal);
        Assert.Matches(@"default-server check inter \d+s", config);
        Assert.Matches(@"bind ""\$\{HAPROXY_HTTPS_BIND\}"" ssl crt .* alpn h2,http/1\.1", config);
        Assert.Contains("retry-on conn-failure", config, StringComparison.Ordinal);
        Assert.Contains("http-request disable-l7-retry unless idempotent", config, StringComparison.Ordinal);
        Assert.Contains("http-request del-header X-Forwarded-For", config, StringComparison.Ordinal);
        Assert.Contains("option forwardfor", config, StringComparison.Ordinal);
        Assert.Contains("stats auth", config, StringComparison.Ordinal);
        Assert.Matches(@"timeout http-request \d+s", config);
        Assert.Matches(@"maxconn", config);
        // Pass-through: the API compresses; the edge does not.
        Assert.DoesNotMatch(@"(?m)^\s*compression ", config);
        // One slot line that prod-local.sh replaces with the local instances.
        Assert.Single(ServerTemplate().Matches(config));
    }

    [Fact]
    public async Task NginxAcceptsTheConfiguration()
    {
        using var temp = new TempDirectory();
        var result = await CheckNginxAsync(temp, await File.ReadAllTextAsync(NginxConfig));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("test is successful", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NginxRefusesABrokenConfiguration()
    {
        using var temp = new TempDirectory();
        var text = (await File.ReadAllTextAsync(NginxConfig)).Replace("limit_req zone=per_client", "limit_req zone=no_such_zone", StringComparison.Ordinal);

        var result = await CheckNginxAsync(temp, text);

        Assert.NotEqual(0, result.ExitCode);
    }

    [Fact]
    public void NginxConfigurationStatesTheEdgeBehaviour()
    {
        var config = File.ReadAllText(NginxConfig);

        Assert.Contains("listen 8443 ssl http2;", config, StringComparison.Ordinal);
        Assert.Contains("gzip on;", config, StringComparison.Ordinal);
        Assert.Contains("client_max_body_size 1m;", config, StringComparison.Ordinal);
        Assert.Matches(@"limit_req_zone \$binary_remote_addr zone=per_client:\d+m rate=\d+r/s;", config);
        Assert.Contains("proxy_set_header X-Forwarded-For $remote_addr;", config, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header X-Forwarded-Proto https;", config, StringComparison.Ordinal);
        Assert.Contains("add_header Strict-Transport-Security", config, StringComparison.Ordinal);
        Assert.Contains("add_header X-Content-Type-Options nosniff always;", config, StringComparison.Ordinal);
        Assert.Contains("server api:8088", config, StringComparison.Ordinal);
    }

    private static async Task<Tool.Result> CheckHaproxyAsync(TempDirectory temp, string config)
    {
        var (_, _, combined) = Tool.WriteTestCertificate(temp.Path);
        return await Tool.RunAsync(Tool.Require("haproxy"), ["-c", "-f", config], new Dictionary<string, string?>
        {
            ["HAPROXY_CERTS"] = combined,
            ["HAPROXY_STATS_PASSWORD"] = "a-password-for-the-check-only",
            ["HAPROXY_MAXCONN"] = "1000",
        });
    }

    /// <summary>nginx -t on the configuration with the upstream on loopback and every path inside the test's directory.</summary>
    private static async Task<Tool.Result> CheckNginxAsync(TempDirectory temp, string config)
    {
        var certs = Directory.CreateDirectory(temp.File("certs")).FullName;
        Tool.WriteTestCertificate(certs);
        var rendered = config
            .Replace("server api:8088", "server 127.0.0.1:18081", StringComparison.Ordinal)
            .Replace("/etc/nginx/certs/", certs + "/", StringComparison.Ordinal)
            .Replace("/tmp/nginx", temp.File("nginx"), StringComparison.Ordinal);
        var file = temp.File("nginx.conf");
        await File.WriteAllTextAsync(file, rendered);
        return await Tool.RunAsync(Tool.Require("nginx"), ["-t", "-p", temp.Path, "-c", file, "-e", temp.File("error.log")]);
    }

    [GeneratedRegex(@"(?m)^[ \t]*server-template api- .*\n")]
    private static partial Regex ServerTemplate();
}
