using Healthcare.Core.Observability;
using Healthcare.ServiceDefaults.Observability;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Healthcare.Tests.Logging;

/// <summary>
/// Spans are recorded only when something exports them; without an exporter they still carry the trace id that
/// logs, audit rows and jobs use. The two facts run one after the other (ActivitySource listeners are global).
/// </summary>
public sealed class TracingTests
{
    [Fact]
    public void WithoutAnExporterSpansCarryATraceIdButRecordNothing()
    {
        using var services = Build(new Dictionary<string, string?>());

        using var span = HealthcareMetrics.Tracing.StartActivity("test");
        using var child = HealthcareMetrics.ContinueTrace("job", System.Diagnostics.ActivityKind.Consumer, span?.Id);

        Assert.NotNull(span);
        Assert.NotEqual(default, span.TraceId);
        Assert.False(span.IsAllDataRequested);
        Assert.False(span.Recorded);
        Assert.NotNull(child);
        Assert.Equal(span.TraceId, child.TraceId);
        Assert.False(child.Recorded);
    }

    [Fact]
    public void WithAnExporterSpansAreRecorded()
    {
        // Loopback only; nothing needs to listen there for the span to be recorded.
        using var services = Build(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:4317" });

        using var span = HealthcareMetrics.Tracing.StartActivity("test");

        Assert.NotNull(span);
        Assert.True(span.Recorded);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddMetrics()
            .AddTelemetry(configuration, "tracing-test")
            .BuildServiceProvider();
        _ = services.GetRequiredService<TracerProvider>();
        return services;
    }
}
