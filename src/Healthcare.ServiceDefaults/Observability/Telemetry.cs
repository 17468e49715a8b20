using Healthcare.Core.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Healthcare.ServiceDefaults.Observability;

/// <summary>
/// OpenTelemetry for both hosts: metrics exposed in Prometheus text at <c>/metrics</c>, traces (and metrics)
/// exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. Metric labels carry route templates,
/// methods, status codes, queue and job names and clinic ids: never a raw path, a query or anything about a patient.
/// </summary>
public static class Telemetry
{
    public const string MetricsPath = "/metrics";

    private static readonly Dictionary<string, string> Renamed = new()
    {
        ["db.client.connection.count"] = "db.client.connections.usage",
        ["db.client.connection.max"] = "db.client.connections.max",
        ["dotnet.assembly.count"] = "dotnet.assemblies.loaded",
        ["dotnet.process.cpu.count"] = "dotnet.process.cpus",
        ["dotnet.timer.count"] = "dotnet.timers.active",
        ["process.thread.count"] = "process.threads",
        ["process.unix.file_descriptor.count"] = "process.unix.file_descriptors.open",
    };

    public static IServiceCollection AddTelemetry(this IServiceCollection services, IConfiguration configuration, string serviceName)
    {
        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        services.AddSingleton<HealthcareMetrics>();
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(serviceName, serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"))
            .WithMetrics(metrics =>
            {
                metrics
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddProcessInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddMeter(HealthcareMetrics.MeterName + "*")
                    // Gauges whose OpenTelemetry names would end in "_count", which Prometheus reserves for histograms.
                    .AddView(instrument => Renamed.TryGetValue(instrument.Name, out var name) ? new MetricStreamConfiguration { Name = name } : null)
                    .AddView(HealthcareMetrics.JobDuration, new ExplicitBucketHistogramConfiguration
                    {
                        Boundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
                    })
                    .AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            })
            .WithTracing(tracing =>
            {
                tracing
                    .AddSource(HealthcareMetrics.MeterName + "*")
                    .AddAspNetCoreInstrumentation(options =>
                        // Probes and scrapes would drown the traces that matter.
                        options.Filter = http => !http.Request.Path.StartsWithSegments("/health") &&
                            !http.Request.Path.StartsWithSegments(MetricsPath))
                    .AddHttpClientInstrumentation()
                    .AddNpgsql()
                    .AddRedisInstrumentation();
                if (otlp)
                {
                    // The sampler is the operator's choice: OTEL_TRACES_SAMPLER (parentbased_always_on by default).
                    tracing.AddOtlpExporter();
                }
                else
                {
                    // Nothing exports spans, so none is recorded: requests still get a trace id (logs, audit rows,
                    // the traceparent handed to jobs), without the cost of filling spans (about a tenth of a read's CPU).
                    var off = new AlwaysOffSampler();
                    tracing.SetSampler(new ParentBasedSampler(off, remoteParentSampled: off, remoteParentNotSampled: off, localParentSampled: off, localParentNotSampled: off));
                }
            });
        return services;
    }

    /// <summary>
    /// Serves <c>/metrics</c>; with <paramref name="managementPort"/> set, only on that port (the public port
    /// answers 404), so a Kubernetes Service can expose it to Prometheus alone.
    /// </summary>
    public static IEndpointConventionBuilder MapMetrics(this WebApplication app, int? managementPort)
    {
        var endpoint = app.MapPrometheusScrapingEndpoint(MetricsPath);
        if (managementPort is { } port)
        {
            endpoint.RequireHost($"*:{port}");
        }

        return endpoint;
    }
}
