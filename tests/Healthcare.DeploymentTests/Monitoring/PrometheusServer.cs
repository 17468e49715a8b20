using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Healthcare.Testing;

namespace Healthcare.DeploymentTests.Monitoring;

/// <summary>
/// A real Prometheus (the Debian package's server, beside promtool) on loopback, scraping given targets every second
/// under the job names of the deployments, with its data in a temporary directory removed afterwards.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _directory;
    private readonly HttpClient _http;

    private PrometheusServer(Process process, TempDirectory directory, Uri address)
    {
        _process = process;
        _directory = directory;
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
    }

    /// <summary>Starts Prometheus scraping each job's target (host:port) and waits until it has a few samples of each.</summary>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyDictionary<string, string> targetsByJob)
    {
        var directory = new TempDirectory();
        var config = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n" + string.Concat(targetsByJob.Select(t =>
            $"  - job_name: {t.Key}\n    static_configs:\n      - targets: ['{t.Value}']\n"));
        await File.WriteAllTextAsync(directory.File("prometheus.yml"), config);
        var port = FreePort.Next();
        var info = new ProcessStartInfo(Tool.Require("prometheus"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            $"--config.file={directory.File("prometheus.yml")}", $"--storage.tsdb.path={directory.File("data")}",
            $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
        })
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("prometheus did not start");
        StartedProcesses.Track(process);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, directory, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await server.WaitForSamplesAsync(targetsByJob.Keys.ToList());
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>An instant query now: whether Prometheus accepted it, and how many series it answered.</summary>
    public async Task<(bool Success, int Series, string Body)> QueryAsync(string expr)
    {
        var body = await _http.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(expr)}");
        using var json = JsonDocument.Parse(body);
        var success = json.RootElement.GetProperty("status").GetString() == "success";
        var result = success ? json.RootElement.GetProperty("data").GetProperty("result") : default;
        var series = !success ? 0 : result.ValueKind == JsonValueKind.Array ? result.GetArrayLength() : 1;
        return (success, series, body);
    }

    /// <summary>The value of the first series an instant query answers, or null when it answers none.</summary>
    public async Task<double?> ValueAsync(string expr)
    {
        var (success, series, body) = await QueryAsync(expr);
        if (!success || series == 0)
        {
            return null;
        }

        using var json = JsonDocument.Parse(body);
        var value = json.RootElement.GetProperty("data").GetProperty("result")[0].GetProperty("value")[1].GetString();
        return double.Parse(value!, CultureInfo.InvariantCulture);
    }

    private async Task WaitForSamplesAsync(List<string> jobs)
    {
        for (var attempt = 0; attempt < TestTimeouts.Polls(60); attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"prometheus exited with {_process.ExitCode}");
            }

            try
            {
                // rate() over a minute needs two samples; three of every target leave a margin.
                if (await ValueAsync("sum(up)") == jobs.Count && await ValueAsync("min(count_over_time(up[1m]))") >= 3)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(500);
        }

        throw new TimeoutException($"Prometheus did not scrape {string.Join(" and ", jobs)} three times within {TestTimeouts.Scaled(TimeSpan.FromSeconds(30))}");
    }

    public async ValueTask DisposeAsync()
    {
        await StartedProcesses.StopAsync(_process);
        _process.Dispose();
        _http.Dispose();
        _directory.Dispose();
    }
}
