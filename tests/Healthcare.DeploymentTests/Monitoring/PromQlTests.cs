namespace Healthcare.DeploymentTests.Monitoring;

/// <summary>The selector reader that the series checks rely on: it must find every metric and nothing else.</summary>
public sealed class PromQlTests
{
    [Fact]
    public void ReadsMetricsAndMatchersButNotFunctionsAggregationsKeywordsOrLabelLists()
    {
        const string expr = """
            histogram_quantile(0.99, sum by (namespace, le) (rate(http_server_request_duration_seconds_bucket{job="api", http_route!~"/health.*|{x}"}[5m])))
              / on (namespace) group_left sum without (instance) (db_client_connections_max) > 1e-3
              or absent_over_time(healthcare_audit_chain_verified_timestamp_seconds[27h]) and on () (max(up{job="worker"} offset 27h) == 1)
              unless topk(10, max by (clinic_id) (healthcare_active_appointments)) * 3600 or vector(0) or {__name__="target_info", service_name='healthcare-api'}
            """;

        var selectors = PromQl.Selectors(expr);

        Assert.Equal(
            ["http_server_request_duration_seconds_bucket", "db_client_connections_max", "healthcare_audit_chain_verified_timestamp_seconds", "up",
             "healthcare_active_appointments", "target_info"],
            selectors.Select(s => s.Metric));
        Assert.Equal(
            [new PromQl.Matcher("job", "=", "api"), new PromQl.Matcher("http_route", "!~", "/health.*|{x}")],
            selectors[0].Matchers);
        Assert.Equal([new PromQl.Matcher("job", "=", "worker")], selectors[3].Matchers);
        Assert.Equal([new PromQl.Matcher("service_name", "=", "healthcare-api")], selectors[5].Matchers);
    }

    [Fact]
    public void FindsTheMetricsOfEveryRuleAndPanel()
    {
        var names = MonitoringFiles.AllExpressions().SelectMany(e => PromQl.MetricNames(e.Expr)).ToHashSet();

        // Each expression selects at least one series, and the files together cover the backend's main series.
        Assert.All(MonitoringFiles.AllExpressions(), e => Assert.True(PromQl.MetricNames(e.Expr).Count > 0, $"{e.Where}: no metric found"));
        Assert.Superset(
            new HashSet<string>
            {
                "up", "http_server_request_duration_seconds_count", "http_server_request_duration_seconds_bucket", "healthcare_active_appointments",
                "db_client_connections_usage", "db_client_connections_max", "healthcare_queue_depth", "healthcare_queue_failed",
                "healthcare_job_duration_seconds_count", "healthcare_notifications_failed_total", "healthcare_cache_hits_total",
                "healthcare_audit_chain_intact", "cnpg_pg_replication_lag", "kube_pod_container_status_restarts_total",
            },
            names);
    }
}
