using System.Text;
using System.Text.Json;

namespace Healthcare.DeploymentTests.Monitoring;

/// <summary>
/// devops/monitoring/grafana/healthcare-backend.json: a dashboard Grafana can import, with the promised panels, a
/// layout without overlaps, and queries that are valid PromQL (checked by promtool). That the queries ask only for
/// series the backend exposes is checked against real processes in <see cref="MonitoredSeriesTests"/>.
/// </summary>
public sealed class DashboardTests
{
    /// <summary>Panels the dashboard promises, by title.</summary>
    public static readonly TheoryData<string> RequiredPanels = new()
    {
        "Requests per second by status", "Latency percentiles", "Error rate", "Active appointments by clinic", "Connection pool in use",
        "Queue depth", "Cache hit ratio", "API instances up", "Worker instances up", "Notifications per minute", "Job runs per minute",
        "Replica lag", "Pod restarts (1h)", "Log events dropped", "Rate-limited requests", "Audit chain",
    };

    private static readonly string[] PanelTypes = ["timeseries", "stat"];

    [Fact]
    public void TheDashboardIsImportableWithADataSourceChoice()
    {
        using var dashboard = MonitoringFiles.LoadDashboard();
        var root = dashboard.RootElement;

        Assert.Equal("healthcare-backend", root.GetProperty("uid").GetString());
        Assert.Equal("Healthcare backend", root.GetProperty("title").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("id").ValueKind);
        Assert.True(root.GetProperty("schemaVersion").GetInt32() >= 36);
        var variables = root.GetProperty("templating").GetProperty("list").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!);
        Assert.Equal("datasource", variables["datasource"].GetProperty("type").GetString());
        Assert.Equal("prometheus", variables["datasource"].GetProperty("query").GetString());
        // "All" namespaces must also match series without a namespace label (Docker Compose).
        Assert.Equal(".*", variables["namespace"].GetProperty("allValue").GetString());
    }

    [Theory]
    [MemberData(nameof(RequiredPanels))]
    public void ThePromisedPanelIsThere(string title)
    {
        using var dashboard = MonitoringFiles.LoadDashboard();

        var panel = Assert.Single(MonitoringFiles.Panels(dashboard), p => p.Title == title);
        Assert.NotEmpty(panel.Json.GetProperty("targets").EnumerateArray());
    }

    [Fact]
    public void PanelsHaveUniqueIdsQueriesAndTheChosenDataSourceAndDoNotOverlap()
    {
        using var dashboard = MonitoringFiles.LoadDashboard();
        var panels = MonitoringFiles.Panels(dashboard);

        Assert.Equal(panels.Count, panels.Select(p => p.Id).Distinct().Count());
        var cells = new Dictionary<(int X, int Y), string>();
        foreach (var panel in panels)
        {
            var grid = panel.Json.GetProperty("gridPos");
            var (x, y, w, h) = (grid.GetProperty("x").GetInt32(), grid.GetProperty("y").GetInt32(), grid.GetProperty("w").GetInt32(), grid.GetProperty("h").GetInt32());
            Assert.True(x >= 0 && w > 0 && x + w <= 24 && h > 0, $"panel '{panel.Title}' is outside the 24-column grid");
            for (var i = x; i < x + w; i++)
            {
                for (var j = y; j < y + h; j++)
                {
                    Assert.True(cells.TryAdd((i, j), panel.Title), $"panel '{panel.Title}' overlaps '{cells.GetValueOrDefault((i, j))}'");
                }
            }

            if (panel.Type == "row")
            {
                continue;
            }

            Assert.Contains(panel.Type, PanelTypes);
            Assert.False(string.IsNullOrWhiteSpace(panel.Json.GetProperty("description").GetString()), $"panel '{panel.Title}' has no description");
            Assert.Equal("${datasource}", panel.Json.GetProperty("datasource").GetProperty("uid").GetString());
            var targets = panel.Json.GetProperty("targets").EnumerateArray().ToList();
            Assert.NotEmpty(targets);
            Assert.Equal(targets.Count, targets.Select(t => t.GetProperty("refId").GetString()).Distinct().Count());
            Assert.All(targets, t => Assert.Equal("${datasource}", t.GetProperty("datasource").GetProperty("uid").GetString()));
        }
    }

    [Fact]
    public async Task EveryQueryIsValidPromQl()
    {
        using var dashboard = MonitoringFiles.LoadDashboard();
        var queries = MonitoringFiles.DashboardQueries(dashboard);
        using var temp = new TempDirectory();
        var rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (var i = 0; i < queries.Count; i++)
        {
            rules.Append(System.Globalization.CultureInfo.InvariantCulture, $"      - record: dashboard:query_{i}\n        expr: {JsonSerializer.Serialize(queries[i].Expr)}\n");
        }

        await File.WriteAllTextAsync(temp.File("dashboard-rules.yml"), rules.ToString());

        var result = await Tool.RunAsync(Tool.Require("promtool"), ["check", "rules", temp.File("dashboard-rules.yml")]);

        Assert.True(queries.Count >= 30, $"only {queries.Count} queries");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"SUCCESS: {queries.Count} rules found", result.Output, StringComparison.Ordinal);
        Assert.All(queries, q => Assert.DoesNotContain("$", q.Expr, StringComparison.Ordinal));
    }

    [Fact]
    public async Task PromtoolRejectsAnInvalidQuery()
    {
        using var temp = new TempDirectory();
        await File.WriteAllTextAsync(temp.File("dashboard-rules.yml"),
            "groups:\n  - name: dashboard\n    rules:\n      - record: dashboard:query_0\n        expr: \"sum by (le (rate(x[5m]))\"\n");

        var result = await Tool.RunAsync(Tool.Require("promtool"), ["check", "rules", temp.File("dashboard-rules.yml")]);

        Assert.NotEqual(0, result.ExitCode);
    }
}
