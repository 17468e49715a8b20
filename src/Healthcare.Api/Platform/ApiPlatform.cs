using Healthcare.Core.Data;
using Healthcare.Core.Observability;
using Healthcare.ServiceDefaults;
using Healthcare.ServiceDefaults.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Events;

namespace Healthcare.Api.Platform;

/// <summary>Everything every endpoint relies on: settings, data, logging, errors, HTTP behaviour, auth, docs.</summary>
public static class ApiPlatform
{
    public const string ApplicationName = "healthcare-api";
    private const string RouteItem = "healthcare.route";

    public static WebApplicationBuilder AddApiPlatform(this WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults(ApplicationName);
        builder.Services.AddDataServices(ApplicationName);
        builder.Services.AddProblemResponses();
        builder.Services.AddValidation();
        // A field a request type does not declare is an error, not silently dropped: clients cannot slip in
        // ids, roles or audit fields (mass assignment), and typos surface at once.
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
            // Numbers are JSON numbers: "5" is not an integer, so the document can promise one type per field.
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
            // Weekdays and other enums as words ("monday"), not numbers that depend on declaration order.
            o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(
                System.Text.Json.JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        });
        builder.Services.Configure<RouteOptions>(o => o.LowercaseUrls = true);
        builder.AddHttpServer();
        builder.Services.AddApiCache();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddAuditing();
        builder.Services.AddRateLimits();
        builder.Services.AddReadRouting();
        builder.Services.AddApiDocs();
        builder.Services.AddSingleton<Healthcare.Core.Platform.IdempotencyStore>();
        return builder;
    }

    public static WebApplication UseApiPlatform(this WebApplication app)
    {
        // First, so the request log, HSTS, login throttling and the audit trail see the client, not the proxy.
        app.UseForwardedHeaders();
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseSerilogRequestLogging(options =>
        {
            // This host's logger: the static one is not set (see JsonLogging).
            options.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            // The route template, never the raw path: ids and search terms stay out of the logs.
            options.MessageTemplate = "HTTP {RequestMethod:l} {Route:l} responded {StatusCode} in {Elapsed:0.0} ms";
            options.EnrichDiagnosticContext = (diagnostics, http) =>
                diagnostics.Set("Route", RouteOf(http) ?? http.Items[RouteItem] as string ?? "(no route)");
            options.GetLevel = (http, _, exception) =>
                exception is not null || http.Response.StatusCode >= 500 ? LogEventLevel.Error
                : http.Request.Path.StartsWithSegments("/health") ? LogEventLevel.Debug
                : LogEventLevel.Information;
        });
        // Outside the error handlers, so problem details are compressed too.
        app.UseResponseCompression();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Acts on HTTPS requests only; in Development localhost is exempt so browsers do not pin it.
        app.UseHsts();

        app.UseRouting();
        // The exception handler clears the endpoint before it answers; remember the route for the request log.
        app.Use((http, next) =>
        {
            http.Items[RouteItem] = RouteOf(http);
            return next(http);
        });
        // Before anything that reads the database, so a vanished client cancels none of it.
        app.UseMiddleware<ClientDisconnectMiddleware>();
        app.UseCors();
        app.UseAuthentication();
        // After authentication (budgets are per user) and before anything expensive.
        app.UseMiddleware<RateLimitMiddleware>();
        app.UseMiddleware<RecentWriterMiddleware>();
        app.UseAuthorization();
        app.UseRequestTimeouts();
        // After authorization: the caller is known, and refused callers never reserve a key.
        app.UseMiddleware<IdempotencyMiddleware>();

        app.MapDefaultEndpoints(app.Services.GetRequiredService<IOptions<HttpServerOptions>>().Value.MetricsPort);
        var metrics = app.Services.GetRequiredService<HealthcareMetrics>();
        metrics.StartApiCounters();
        metrics.ObserveActiveAppointments(app.Services.GetRequiredService<IServiceScopeFactory>());
        metrics.ObserveReadReplica(app.Services.GetRequiredService<ReadReplica>());
        var cache = app.Services.GetRequiredService<ZiggyCreatures.Caching.Fusion.IFusionCache>();
        cache.Events.Hit += (_, _) => metrics.CacheRead(cache.CacheName, hit: true);
        cache.Events.Miss += (_, _) => metrics.CacheRead(cache.CacheName, hit: false);
        app.MapApiDocs();
        return app;
    }

    private static string? RouteOf(HttpContext http) => (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
}
