using System.Net;
using System.Text;
using Healthcare.Testing;

namespace Healthcare.DeploymentTests.Scripts;

/// <summary>
/// devops/scripts/monitoring/check-health.sh: readiness against a locally started API, and the metric rules
/// against a stand-in /metrics endpoint, so they can be checked whatever the API exposes today.
/// </summary>
[Collection(SeededApiGroup.Name)]
public sealed class CheckHealthTests(SeededApi api)
{
    private const string CheckHealth = "devops/scripts/monitoring/check-health.sh";

    private const string HealthyMetrics = """
        # HELP healthcare_queue_depth Jobs waiting per queue.
        # TYPE healthcare_queue_depth gauge
        healthcare_queue_depth{queue="critical"} 0
        healthcare_queue_depth{queue="default"} 12
        healthcare_queue_depth{queue="maintenance"} 1
        # TYPE healthcare_queue_failed gauge
        healthcare_queue_failed 2
        db_client_connections_usage{db_client_connection_pool_name="api",db_client_connection_state="used"} 5
        db_client_connections_usage{db_client_connection_pool_name="api",db_client_connection_state="idle"} 15
        db_client_connections_max{db_client_connection_pool_name="api"} 20
        cnpg_pg_replication_lag{pod="postgres-2"} 0.4
        """;

    [Fact]
    public async Task ReadinessOfALocallyStartedApiIsOkAndMissingMetricsAreReportedUnknown()
    {
        var result = await Script.RunAsync(CheckHealth, [api.BaseUrl]);

        // Readiness is fine; whatever metric the API does not expose must not count as healthy.
        Assert.Matches(@"(?m)^ok\s+readiness\s+Healthy", result.Stdout);
        Assert.DoesNotMatch(@"(?m)^unhealthy", result.Stdout);
        if (result.ExitCode == 3)
        {
            Assert.Matches(@"(?m)^unknown: ", result.Stdout);
        }
        else
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.DoesNotMatch(@"(?m)^unknown\s", result.Stdout);
        }

        var allowed = await Script.RunAsync(CheckHealth, ["--allow-unknown", api.BaseUrl]);
        Assert.True(allowed.ExitCode == 0, allowed.ToString());

        var readinessOnly = await Script.RunAsync(CheckHealth, ["--no-metrics", api.BaseUrl]);
        Assert.True(readinessOnly.ExitCode == 0, readinessOnly.ToString());
        Assert.EndsWith("healthy\n", readinessOnly.Stdout);
    }

    [Fact]
    public async Task AllMetricsWithinLimitsAreHealthy()
    {
        await using var metrics = await MetricsEndpoint.StartAsync(HealthyMetrics);

        var result = await Script.RunAsync(CheckHealth, ["--metrics-url", metrics.Url, api.BaseUrl]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches(@"(?m)^ok\s+queue_depth\s+critical=0 default=12 maintenance=1", result.Stdout);
        Assert.Matches(@"(?m)^ok\s+failed_jobs\s+2 failed jobs", result.Stdout);
        Assert.Matches(@"(?m)^ok\s+db_pool\s+25% of the pool in use", result.Stdout);
        Assert.Matches(@"(?m)^ok\s+replica_lag\s+0.4s", result.Stdout);
        Assert.EndsWith("healthy\n", result.Stdout);
    }

    [Theory]
    [InlineData("healthcare_queue_depth{queue=\"default\"} 12", "healthcare_queue_depth{queue=\"default\"} 5000", "unhealthy: queue_depth: critical=0 default=5000 maintenance=1 (max 1000)")]
    [InlineData("healthcare_queue_failed 2", "healthcare_queue_failed 75", "unhealthy: failed_jobs: 75 failed jobs (max 50)")]
    [InlineData("db_client_connection_state=\"used\"} 5", "db_client_connection_state=\"used\"} 19", "unhealthy: db_pool: 95% of the pool in use (19 of 20; max 90%)")]
    [InlineData("cnpg_pg_replication_lag{pod=\"postgres-2\"} 0.4", "cnpg_pg_replication_lag{pod=\"postgres-2\"} 120", "unhealthy: replica_lag: 120s behind the primary (max 30s)")]
    public async Task AMetricOverItsLimitIsUnhealthyWithOneLineReason(string healthy, string sick, string reason)
    {
        await using var metrics = await MetricsEndpoint.StartAsync(HealthyMetrics.Replace(healthy, sick, StringComparison.Ordinal));

        var result = await Script.RunAsync(CheckHealth, ["--metrics-url", metrics.Url, api.BaseUrl]);

        Assert.Equal(1, result.ExitCode);
        Assert.EndsWith(reason + "\n", result.Stdout);
    }

    [Fact]
    public async Task AbsentMetricsAreUnknownNotHealthy()
    {
        await using var metrics = await MetricsEndpoint.StartAsync("healthcare_queue_failed 0\n");

        var result = await Script.RunAsync(CheckHealth, ["--metrics-url", metrics.Url, api.BaseUrl]);

        Assert.Equal(3, result.ExitCode);
        Assert.Matches(@"(?m)^unknown\s+queue_depth\s+healthcare_queue_depth is not exposed", result.Stdout);
        Assert.Matches(@"(?m)^unknown\s+db_pool", result.Stdout);
        Assert.Matches(@"(?m)^unknown\s+replica_lag", result.Stdout);
        Assert.Matches(@"(?m)^unknown: db_pool queue_depth replica_lag", result.Stdout);
    }

    [Fact]
    public async Task AnApiThatDoesNotAnswerIsUnhealthy()
    {
        var nowhere = $"http://127.0.0.1:{FreePort.Next()}";

        var result = await Script.RunAsync(CheckHealth, ["--no-metrics", nowhere]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"unhealthy: readiness: no answer from {nowhere}/health/ready", result.Stdout.Split('\n')[^2]);
    }

    /// <summary>A stand-in Prometheus endpoint on loopback serving fixed text.</summary>
    private sealed class MetricsEndpoint : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly CancellationTokenSource _stop = new();
        private Task _serving = Task.CompletedTask;

        public string Url { get; private set; } = "";

        public static Task<MetricsEndpoint> StartAsync(string text)
        {
            var endpoint = new MetricsEndpoint();
            var port = FreePort.Next();
            endpoint.Url = $"http://127.0.0.1:{port}/metrics";
            endpoint._listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            endpoint._listener.Start();
            var body = Encoding.UTF8.GetBytes(text.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
            endpoint._serving = Task.Run(async () =>
            {
                while (!endpoint._stop.IsCancellationRequested)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await endpoint._listener.GetContextAsync();
                    }
                    catch (Exception) when (endpoint._stop.IsCancellationRequested)
                    {
                        return;
                    }

                    context.Response.ContentType = "text/plain; version=0.0.4";
                    await context.Response.OutputStream.WriteAsync(body);
                    context.Response.Close();
                }
            });
            return Task.FromResult(endpoint);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Close();
            await _serving;
            _stop.Dispose();
        }
    }
}
