using System.Globalization;
using System.Text.RegularExpressions;
using Healthcare.Core.Jobs;
using Healthcare.Testing;

namespace Healthcare.DeploymentTests.Monitoring;

/// <summary>
/// A fresh API and worker, before any request or job: the first scrape of each already holds every series an alert
/// rule or autoscaler reads, at zero where nothing happened yet (per clinic, per queue, per channel). An absent series
/// would leave an HPA without a metric (it then refuses to scale down) and an alert without anything to compare.
/// Histograms are the exception: their buckets and count appear with the first observation, and the rules read them
/// through rate() or increase(), which is empty, not wrong, before that.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "xUnit ends a fixture through IAsyncLifetime.DisposeAsync.")]
public sealed partial class FirstScrapeTests : IAsyncLifetime
{
    private static readonly string[] Autoscaled = ["healthcare_active_appointments", "healthcare_queue_depth"];

    private readonly ApiFactory _setup = new();
    private HostProcess? _api;
    private HostProcess? _worker;
    private Guid _clinicId;
    private int _metricsPort;

    public Task InitializeAsync() => Fixture.StartOrDisposeAsync(StartAsync, DisposeAsync);

    private async Task StartAsync()
    {
        await _setup.InitializeAsync();
        _clinicId = (await _setup.CreateClinicAsync("First scrape")).Id;
        _metricsPort = FreePort.Next();
        var apiSettings = HostProcess.ApiSettings(_setup.DatabaseUrl);
        apiSettings["METRICS_PORT"] = _metricsPort.ToString(CultureInfo.InvariantCulture);
        var starting = new[] { HostProcess.StartServingAsync(RepositoryPaths.ApiDll, apiSettings), HostProcess.StartServingAsync(RepositoryPaths.WorkerDll, HostProcess.WorkerSettings(_setup.DatabaseUrl)) };
        _api = await starting[0];
        _worker = await starting[1];
    }

    public async Task DisposeAsync()
    {
        foreach (var process in new[] { _api, _worker })
        {
            if (process is not null)
            {
                await process.DisposeAsync();
            }
        }

        await _setup.DisposeAsync();
    }

    [Fact]
    public async Task EverySeriesThatAlertsAndAutoscalersReadIsThereFromTheFirstScrape()
    {
        using var http = new HttpClient();
        var apiText = await http.GetStringAsync(new Uri($"http://127.0.0.1:{_metricsPort}/metrics"));
        var workerText = await http.GetStringAsync(new Uri(_worker!.BaseAddress, "/metrics"));
        var exposed = new[] { Exposition.Parse(apiText), Exposition.Parse(workerText) };

        var read = MonitoringFiles.Rules().SelectMany(r => PromQl.MetricNames(r.Expr)).Concat(Autoscaled)
            .Where(m => !MonitoringFiles.ExternalSeries().ContainsKey(m) && !HistogramSeries().IsMatch(m))
            .ToHashSet(StringComparer.Ordinal);
        Assert.Superset(new HashSet<string>(["healthcare_audit_chain_intact", "healthcare_logins_failed_total", "healthcare_log_events_dropped_total"]), read);
        var missing = read.Where(m => !exposed.Any(series => series.ContainsKey(m))).Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"not in the first scrape: {string.Join(", ", missing)}");

        Assert.Matches($@"(?m)^healthcare_active_appointments\{{[^}}]*clinic_id=""{_clinicId}""[^}}]*\}} 0( |$)", apiText);
        foreach (var queue in JobQueues.All)
        {
            Assert.Matches($@"(?m)^healthcare_queue_depth\{{[^}}]*queue=""{queue}""[^}}]*\}} \d+( |$)", workerText);
        }

        foreach (var channel in new[] { "email", "sms" })
        {
            Assert.Matches($@"(?m)^healthcare_notifications_failed_total\{{[^}}]*channel=""{channel}""[^}}]*\}} 0( |$)", workerText);
        }

        // No verification has found a break; the first one is queued at start, so "when" is 0 (never) or just now.
        Assert.Matches(@"(?m)^healthcare_audit_chain_intact\{[^}]*\} 1( |$)", workerText);
    }

    [GeneratedRegex("_(bucket|count|sum)$")]
    private static partial Regex HistogramSeries();
}
