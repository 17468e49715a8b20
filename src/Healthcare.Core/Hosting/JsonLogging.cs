using Healthcare.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace Healthcare.Core.Hosting;

/// <summary>
/// Structured JSON logs on standard output, one event per line, with trace and span ids (@tr, @sp)
/// and the request id. Raw request paths are not logged: request events carry the route template.
/// </summary>
public static class JsonLogging
{
    public static IServiceCollection AddJsonLogging(this IServiceCollection services, string applicationName)
    {
        services.AddValidatedSettings<LoggingOptions, LoggingOptionsValidator>();
        // ASP.NET Core's own per-request scope and messages carry the raw path and its own request id;
        // the API writes one request event with the route template and the X-Request-Id instead.
        services.AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None));
        services.AddSerilog((sp, logger) =>
        {
            // Read directly: a bad LOG_LEVEL is reported with every other bad setting by options validation.
            var level = LoggingOptions.TryParseLevel(sp.GetRequiredService<IConfiguration>()["LOG_LEVEL"] ?? "info", out var parsed)
                ? parsed
                : LogEventLevel.Information;
            logger.MinimumLevel.Is(level)
                .MinimumLevel.Override("Microsoft.AspNetCore", Max(level, LogEventLevel.Warning))
                .MinimumLevel.Override("Microsoft.EntityFrameworkCore", Max(level, LogEventLevel.Warning))
                // Failed commands surface as exceptions and are logged once where they are handled.
                .MinimumLevel.Override("Microsoft.EntityFrameworkCore.Database.Command", LogEventLevel.Fatal)
                .MinimumLevel.Override("Npgsql", Max(level, LogEventLevel.Warning))
                .MinimumLevel.Override("Microsoft.Extensions.Http", Max(level, LogEventLevel.Warning))
                .MinimumLevel.Override("Microsoft.Hosting.Lifetime", Max(level, LogEventLevel.Information))
                .Enrich.FromLogContext()
                .Enrich.WithProperty("Application", applicationName)
                .Enrich.With<DropRawPath>()
                .WriteTo.Console(new RenderedCompactJsonFormatter());
        });
        return services;
    }

    private static LogEventLevel Max(LogEventLevel a, LogEventLevel b) => a > b ? a : b;

    /// <summary>ASP.NET Core's request scope carries the raw path; identifiers in it are not for logs.</summary>
    private sealed class DropRawPath : ILogEventEnricher
    {
        public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
        {
            logEvent.RemovePropertyIfPresent("RequestPath");
            logEvent.RemovePropertyIfPresent("Path");
            logEvent.RemovePropertyIfPresent("QueryString");
        }
    }
}
