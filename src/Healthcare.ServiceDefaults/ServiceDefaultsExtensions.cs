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
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Field values may carry bytes above 0x7F (RFC 9110 obs-text). Read as Latin-1, they reach the application,
            // which answers with problem details (an unreadable token is a 401, a malformed key a 400) instead of the
            // server's bare 400 without a body. Control characters are still refused by Kestrel itself.
            kestrel.RequestHeaderEncodingSelector = _ => System.Text.Encoding.Latin1;
        });
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
