using Healthcare.ServiceDefaults.Health;
using Healthcare.ServiceDefaults.Hosting;
using Healthcare.ServiceDefaults.Observability;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;

namespace Healthcare.ServiceDefaults;

/// <summary>
/// What the API and the worker share as hosts: JSON logs (and the stored log), the dependency health checks,
/// OpenTelemetry, and the health and <c>/metrics</c> endpoints.
/// </summary>
public static class ServiceDefaultsExtensions
{
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string applicationName)
    {
        builder.Services.AddJsonLogging(applicationName);
        builder.Services.AddDependencyHealthChecks();
        builder.Services.AddTelemetry(builder.Configuration, applicationName);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        return builder;
    }

    /// <summary>
    /// <c>/health</c>, <c>/health/ready</c> and <c>/metrics</c>; with <paramref name="managementPort"/> set,
    /// <c>/metrics</c> answers on that port only.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app, int? managementPort = null)
    {
        app.MapHealthEndpoints();
        app.MapMetrics(managementPort).AllowAnonymous();
        return app;
    }
}
