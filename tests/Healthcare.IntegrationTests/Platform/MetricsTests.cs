using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Platform;

/// <summary>
/// /metrics of a real API process (on its own management port) and of a worker, checked by Prometheus's own
/// <c>promtool check metrics</c> and for the series the dashboards, alerts and autoscalers use.
/// </summary>
public sealed partial class MetricsTests : IAsyncLifetime
{
    /// <summary>Series the alert rules, dashboards and autoscalers in devops/ rely on.</summary>
    public static readonly string[] ApiSeries =
    [
        "http_server_request_duration_seconds_bucket", "http_server_request_duration_seconds_count", "http_server_active_requests",
        "healthcare_logins_failed_total", "db_client_connections_usage", "db_client_connections_max",
        "dotnet_gc_collections_total", "dotnet_process_memory_working_set_bytes", "process_cpu_time_seconds_total",
    ];

    public static readonly string[] WorkerSeries =
    [
        "healthcare_queue_depth", "healthcare_queue_processing", "healthcare_queue_scheduled", "healthcare_queue_failed",
        "healthcare_job_duration_seconds_bucket", "db_client_connections_usage",
    ];

    private readonly int _metricsPort = FreePort.Next();
    private string _databaseUrl = "";
    private HostProcess? _api;
    private HostProcess? _worker;

    public Task InitializeAsync() => Fixture.StartOrDisposeAsync(StartAsync, DisposeAsync);

    private async Task StartAsync()
    {
        _databaseUrl = await TestServers.CreateDatabaseAsync(nameof(MetricsTests));
        await TestServers.MigrateAsync(_databaseUrl);
        var settings = HostProcess.ApiSettings(_databaseUrl);
        settings["METRICS_PORT"] = _metricsPort.ToString(CultureInfo.InvariantCulture);
        _api = await HostProcess.StartServingAsync(RepositoryPaths.ApiDll, settings);
        _worker = await HostProcess.StartServingAsync(RepositoryPaths.WorkerDll, HostProcess.WorkerSettings(_databaseUrl));
    }

    public async Task DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }

        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await TestServers.DropDatabaseAsync(_databaseUrl);
    }

    [Fact]
    public async Task TheApiExposesValidPrometheusTextWithRouteTemplatesAndNoIdsOnlyOnItsManagementPort()
    {
        using var api = new HttpClient { BaseAddress = _api!.BaseAddress };
        var clinicId = Guid.NewGuid();
        await api.PostAsJsonAsync("/api/v1/auth/login", new { email = "nobody@metrics.test", password = "wrong-password-123" });
        await api.GetAsync($"/api/v1/clinics/{clinicId}/patients?search=Ximena");

        var text = await PrometheusText.ScrapeUntilAsync(new Uri($"http://127.0.0.1:{_metricsPort}/metrics"), "healthcare_logins_failed_total");
        var onPublicPort = await api.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.NotFound, onPublicPort.StatusCode);
        await PrometheusText.AssertPromtoolAcceptsAsync(text);
        foreach (var series in ApiSeries)
        {
            Assert.True(PrometheusText.HasSeries(text, series), $"{series} is missing from the API's /metrics");
        }

        Assert.Contains("http_route=\"/api/v1/clinics/{clinicId:guid}/patients/\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain(clinicId.ToString(), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Ximena", text, StringComparison.Ordinal);
        Assert.DoesNotContain("nobody@metrics.test", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheWorkerExposesQueueDepthPerQueueAndJobDurations()
    {
        var text = await PrometheusText.ScrapeUntilAsync(new Uri(_worker!.BaseAddress, "/metrics"), "healthcare_job_duration_seconds_bucket");

        await PrometheusText.AssertPromtoolAcceptsAsync(text);
        foreach (var series in WorkerSeries)
        {
            Assert.True(PrometheusText.HasSeries(text, series), $"{series} is missing from the worker's /metrics");
        }

        foreach (var queue in new[] { "critical", "default", "maintenance" })
        {
            Assert.Contains($"healthcare_queue_depth{{otel_scope_name=\"Healthcare\",queue=\"{queue}\"}}", text, StringComparison.Ordinal);
        }

        Assert.Matches(JobLabel(), text);
    }

    [GeneratedRegex("healthcare_job_duration_seconds_bucket\\{[^}]*job=\"[A-Za-z]+\\.[A-Za-z]+\"")]
    private static partial Regex JobLabel();
}
