using System.Globalization;
using Healthcare.Testing;

namespace Healthcare.DeploymentTests.Monitoring;

/// <summary>
/// The alert rules and the dashboard ask only for series that exist: every metric they name is in a real scrape of the
/// API and the worker (after the events that create each series) or in devops/monitoring/external-metrics.txt, every label
/// they match on exists on that metric as Prometheus stores it, and values of closed label sets (pool state, queue, job
/// outcome, channel) occur.
/// </summary>
[Collection(SharedMonitoredBackend.Name)]
public sealed class MonitoredSeriesTests(MonitoredBackend backend)
{
    /// <summary>Labels Prometheus adds to every scraped series: the scrape job and target, and in Kubernetes the ServiceMonitor's.</summary>
    private static readonly HashSet<string> TargetLabels = ["job", "instance", "namespace", "pod", "service", "container", "endpoint"];

    /// <summary>Labels whose values are a small fixed set, so a value the backend never produces is a mistake.</summary>
    private static readonly HashSet<string> ClosedSetLabels = ["db_client_connection_state", "queue", "outcome", "channel"];

    [Fact]
    public void EveryMetricTheRulesAndTheDashboardUseIsExposedOrAnExternalSeries()
    {
        var external = MonitoringFiles.ExternalSeries();
        var problems = new List<string>();
        foreach (var (where, expr) in MonitoringFiles.AllExpressions())
        {
            foreach (var metric in PromQl.MetricNames(expr).Where(m => !backend.Exposed.ContainsKey(m) && !external.ContainsKey(m)))
            {
                problems.Add($"{where}: {metric} is neither exposed by the API or the worker nor listed in external-metrics.txt");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void EveryLabelTheyMatchOnExistsAndClosedSetValuesOccur()
    {
        var external = MonitoringFiles.ExternalSeries();
        var problems = new List<string>();
        foreach (var (where, expr) in MonitoringFiles.AllExpressions())
        {
            foreach (var selector in PromQl.Selectors(expr))
            {
                if (external.TryGetValue(selector.Metric, out var entry))
                {
                    problems.AddRange(selector.Matchers.Where(m => !entry.Labels.Contains(m.Label))
                        .Select(m => $"{where}: {selector.Metric} has no label {m.Label} (external-metrics.txt)"));
                    continue;
                }

                if (!backend.Exposed.TryGetValue(selector.Metric, out var series))
                {
                    continue;
                }

                foreach (var matcher in selector.Matchers)
                {
                    if (matcher.Label == "job" && matcher.Operator == "=")
                    {
                        if (!backend.ExposedBy(matcher.Value).ContainsKey(selector.Metric))
                        {
                            problems.Add($"{where}: {selector.Metric} is not exposed by the {matcher.Value} job");
                        }
                    }
                    else if (!TargetLabels.Contains(matcher.Label) && !series.ContainsKey(matcher.Label))
                    {
                        problems.Add($"{where}: {selector.Metric} has no label {matcher.Label} (it has {string.Join(", ", series.Keys)})");
                    }
                    else if (ClosedSetLabels.Contains(matcher.Label) && matcher.Operator == "=" && !series[matcher.Label].Contains(matcher.Value))
                    {
                        problems.Add($"{where}: {selector.Metric} never has {matcher.Label}=\"{matcher.Value}\" (seen: {string.Join(", ", series[matcher.Label])})");
                    }
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void TheExternalListHidesNothingTheBackendExposes()
    {
        var external = MonitoringFiles.ExternalSeries();
        // The backend's own series all exist from the first scrape (FirstScrapeTests), so none is listed.
        var hidden = external.Where(e => backend.Exposed.ContainsKey(e.Key)).Select(e => e.Key).ToList();

        Assert.Equal(["cloudnative-pg", "kube-state-metrics", "prometheus"], external.Values.Select(e => e.Source).Distinct().Order());

        Assert.True(hidden.Count == 0, $"external-metrics.txt lists series the backend exposes: {string.Join(", ", hidden)}");
    }

    [Fact]
    public async Task ARealPrometheusScrapingBothAnswersEveryPanelWithDataAndEveryRule()
    {
        await using var prometheus = await PrometheusServer.StartAsync(backend.Targets);
        using var dashboard = MonitoringFiles.LoadDashboard();
        var external = MonitoringFiles.ExternalSeries();
        var problems = new List<string>();

        foreach (var query in MonitoringFiles.DashboardQueries(dashboard))
        {
            var (success, series, body) = await prometheus.QueryAsync(query.Expr);
            if (!success)
            {
                problems.Add($"panel '{query.PanelTitle}' query {query.RefId}: {body}");
            }
            else if (series == 0 && !PromQl.MetricNames(query.Expr).Any(external.ContainsKey))
            {
                // Only panels of series from other exporters may be empty here.
                problems.Add($"panel '{query.PanelTitle}' query {query.RefId} shows no data: {query.Expr}");
            }
        }

        foreach (var rule in MonitoringFiles.Rules())
        {
            var (success, _, body) = await prometheus.QueryAsync(rule.Expr);
            if (!success)
            {
                problems.Add($"{rule.Alert}: {body}");
            }
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
        Assert.True(await prometheus.ValueAsync("count(healthcare_job_duration_seconds_count{job=\"worker\", exported_job=~\".+[.].+\"})") > 0,
            "Prometheus does not store the job name as exported_job next to job=\"worker\"");
    }

    [Fact]
    public void TheBackendsOwnJobLabelIsStoredAsExportedJob()
    {
        // Prometheus keeps its own job label ("worker") and renames the backend's (the background job's name), so the
        // rules and the dashboard must group job runs by exported_job.
        Assert.True(backend.ExposedBy("worker")["healthcare_job_duration_seconds_count"].ContainsKey("exported_job"));
        Assert.Contains(MonitoringFiles.AllExpressions(), e => e.Expr.Contains("by (namespace, exported_job)", StringComparison.Ordinal));
    }
}

/// <summary>One <see cref="MonitoredBackend"/> for every test class that checks names against its scrape.</summary>
[CollectionDefinition(Name)]
public sealed class SharedMonitoredBackend : ICollectionFixture<MonitoredBackend>
{
    public const string Name = "Monitored backend";
}

/// <summary>
/// A real API (on its own metrics port) and worker over one database, driven through the events that create every series the
/// ops kit uses: a refused sign-in, bookings and a cancellation, a patient checked in, an e-mail sent, a text message whose
/// provider keeps failing, the no-show sweep and the audit-chain verification. Then both are scraped.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "xUnit ends a fixture through IAsyncLifetime.DisposeAsync.")]
public sealed class MonitoredBackend : IAsyncLifetime
{
    private readonly ApiFactory _setup = new();
    private readonly System.Net.HttpListener _smsProvider = new();
    private readonly Dictionary<string, Dictionary<string, Dictionary<string, HashSet<string>>>> _byJob = [];
    private HostProcess? _api;
    private HostProcess? _worker;
    private bool _disposed;

    /// <summary>Metric name to its labels (as Prometheus stores them) and their values, over both processes.</summary>
    public Dictionary<string, Dictionary<string, HashSet<string>>> Exposed { get; } = [];

    /// <summary>The metrics endpoints (host:port) under the scrape job names of the deployments.</summary>
    public Dictionary<string, string> Targets { get; } = [];

    public IReadOnlyDictionary<string, Dictionary<string, HashSet<string>>> ExposedBy(string job) =>
        _byJob.TryGetValue(job, out var series) ? series : [];

    public Task InitializeAsync() => Fixture.StartOrDisposeAsync(StartAndDriveAsync, DisposeAsync);

    private async Task StartAndDriveAsync()
    {
        await _setup.InitializeAsync();
        var clinic = await MonitoringScenario.CreateClinicAsync(_setup);
        var smsPort = StartFailingSmsProvider();

        var metricsPort = FreePort.Next();
        var apiSettings = HostProcess.ApiSettings(_setup.DatabaseUrl);
        apiSettings["METRICS_PORT"] = metricsPort.ToString(CultureInfo.InvariantCulture);
        var workerSettings = HostProcess.WorkerSettings(_setup.DatabaseUrl);
        workerSettings["SMS_WEBHOOK_URL"] = $"http://127.0.0.1:{smsPort}/sms/";
        workerSettings["SMS_WEBHOOK_SECRET"] = "monitoring-test-webhook-secret-0123456789";
        // Retries a second apart, so a failing notification uses up its attempts within seconds.
        workerSettings["WORKER_RETRY_BASE_SECONDS"] = "1";
        workerSettings["WORKER_RETRY_MAX_SECONDS"] = "1";
        workerSettings["WORKER_SCHEDULE_POLL_SECONDS"] = "1";
        var starting = new[] { HostProcess.StartServingAsync(RepositoryPaths.ApiDll, apiSettings), HostProcess.StartServingAsync(RepositoryPaths.WorkerDll, workerSettings) };
        _api = await starting[0];
        _worker = await starting[1];

        await MonitoringScenario.DriveAsync(_setup, _api, clinic);

        Targets["api"] = $"127.0.0.1:{metricsPort}";
        Targets["worker"] = $"127.0.0.1:{_worker.HttpPort}";
        var apiMetrics = new Uri($"http://127.0.0.1:{metricsPort}/metrics");
        var workerMetrics = new Uri(_worker.BaseAddress, "/metrics");
        var wanted = MonitoringFiles.AllExpressions().SelectMany(e => PromQl.MetricNames(e.Expr))
            .Where(m => !MonitoringFiles.ExternalSeries().ContainsKey(m)).ToHashSet();
        using var http = new HttpClient();
        for (var attempt = 0; attempt < TestTimeouts.Polls(180); attempt++)
        {
            _byJob["api"] = Exposition.Parse(await http.GetStringAsync(apiMetrics));
            _byJob["worker"] = Exposition.Parse(await http.GetStringAsync(workerMetrics));
            if (wanted.All(m => _byJob.Values.Any(series => series.ContainsKey(m))) &&
                _byJob["worker"].TryGetValue("healthcare_job_duration_seconds_count", out var jobs) && jobs["outcome"].Contains("failed"))
            {
                break;
            }

            await Task.Delay(500);
        }

        foreach (var series in _byJob.Values)
        {
            foreach (var (metric, labels) in series)
            {
                var merged = Exposed.TryGetValue(metric, out var existing) ? existing : Exposed[metric] = [];
                foreach (var (label, values) in labels)
                {
                    (merged.TryGetValue(label, out var known) ? known : merged[label] = []).UnionWith(values);
                }
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var process in new[] { _api, _worker })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        _smsProvider.Close();
        if (_setup.DatabaseUrl.Length > 0)
        {
            await ((IAsyncLifetime)_setup).DisposeAsync();
        }
    }

    /// <summary>An SMS provider on loopback that refuses every message with 500.</summary>
    private int StartFailingSmsProvider()
    {
        var port = FreePort.Next();
        _smsProvider.Prefixes.Add($"http://127.0.0.1:{port}/sms/");
        _smsProvider.Start();
        _ = Task.Run(async () =>
        {
            while (_smsProvider.IsListening)
            {
                try
                {
                    var context = await _smsProvider.GetContextAsync();
                    context.Response.StatusCode = 500;
                    context.Response.Close();
                }
                catch (Exception) when (!_smsProvider.IsListening)
                {
                    return;
                }
            }
        });
        return port;
    }
}
