using System.Text.Json;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Platform;

/// <summary>Logs are JSON lines on stdout with trace and request ids, honour LOG_LEVEL, and never carry raw URLs.</summary>
public sealed class LoggingTests : IAsyncLifetime
{
    private string _databaseUrl = "";

    public async Task InitializeAsync() => _databaseUrl = await TestServers.CreateDatabaseAsync(nameof(LoggingTests));

    public Task DisposeAsync() => TestServers.DropDatabaseAsync(_databaseUrl);

    [Fact]
    public async Task EachRequestIsOneJsonLineWithTraceIdRequestIdAndRouteTemplate()
    {
        await using var api = await HostProcess.StartServingAsync(RepositoryPaths.ApiDll, HostProcess.ApiSettings(_databaseUrl));
        using var http = new HttpClient { BaseAddress = api.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me?ssn=078-05-1120&name=Jane%20Roe");
        request.Headers.Add("X-Request-Id", "log-test-1");

        await http.SendAsync(request);
        var line = await WaitForLineAsync(api, l => l.Contains("log-test-1", StringComparison.Ordinal));

        var entry = JsonDocument.Parse(line).RootElement;
        Assert.Equal("log-test-1", entry.GetProperty("RequestId").GetString());
        Assert.Matches("^[0-9a-f]{32}$", entry.GetProperty("@tr").GetString());
        Assert.Equal("/api/v1/me", entry.GetProperty("Route").GetString());
        Assert.Equal(401, entry.GetProperty("StatusCode").GetInt32());
        var all = string.Join('\n', api.StandardOutput);
        Assert.DoesNotContain("078-05-1120", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Jane", all, StringComparison.Ordinal);
        Assert.All(api.StandardOutput.Where(l => l.Length > 0), l => JsonDocument.Parse(l));
    }

    [Fact]
    public async Task LogLevelWarningLeavesOutRequestEvents()
    {
        var settings = HostProcess.ApiSettings(_databaseUrl);
        settings["LOG_LEVEL"] = "warning";
        await using var api = await HostProcess.StartServingAsync(RepositoryPaths.ApiDll, settings);
        using var http = new HttpClient { BaseAddress = api.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Add("X-Request-Id", "log-test-2");

        await http.SendAsync(request);
        await Task.Delay(500);

        Assert.DoesNotContain(api.StandardOutput, l => l.Contains("log-test-2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LogLevelDebugAddsDebugEvents()
    {
        var settings = HostProcess.ApiSettings(_databaseUrl);
        settings["LOG_LEVEL"] = "debug";
        await using var api = await HostProcess.StartServingAsync(RepositoryPaths.ApiDll, settings);
        using var http = new HttpClient { BaseAddress = api.BaseAddress };

        await http.GetAsync("/health");

        // Health probes are logged at Debug so that they do not drown the info log.
        await WaitForLineAsync(api, l => l.Contains("\"@l\":\"Debug\"", StringComparison.Ordinal) && l.Contains("/health", StringComparison.Ordinal));
    }

    private static async Task<string> WaitForLineAsync(HostProcess process, Func<string, bool> match)
    {
        for (var i = 0; i < TestTimeouts.Polls(100); i++)
        {
            if (process.StandardOutput.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("No matching log line:\n" + process.Describe());
    }
}
