using System.Diagnostics;
using Xunit;

namespace Healthcare.Testing;

/// <summary>Reading and checking the Prometheus text exposition of a running process.</summary>
public static class PrometheusText
{
    public static bool HasSeries(string exposition, string name) =>
        exposition.Split('\n').Any(line => line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal));

    /// <summary>Scrapes until <paramref name="expected"/> appears (gauges read the database in the background first).</summary>
    public static async Task<string> ScrapeUntilAsync(Uri url, string expected)
    {
        using var http = new HttpClient();
        var text = "";
        for (var attempt = 0; attempt < 60 && !HasSeries(text, expected); attempt++)
        {
            await Task.Delay(attempt == 0 ? 0 : 500);
            text = await http.GetStringAsync(url);
        }

        return text;
    }

    public static async Task AssertPromtoolAcceptsAsync(string exposition)
    {
        var info = new ProcessStartInfo("promtool", ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var promtool = Process.Start(info) ?? throw new InvalidOperationException("promtool did not start (make test installs the prometheus package).");
        await promtool.StandardInput.WriteAsync(exposition);
        promtool.StandardInput.Close();
        var output = await promtool.StandardOutput.ReadToEndAsync() + await promtool.StandardError.ReadToEndAsync();
        await promtool.WaitForExitAsync();
        Assert.True(promtool.ExitCode == 0, $"promtool check metrics: {output}");
    }
}
