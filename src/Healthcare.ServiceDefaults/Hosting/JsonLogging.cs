using Healthcare.Core.Configuration;
using Healthcare.ServiceDefaults.Logging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting.Compact;
using StackExchange.Redis;

namespace Healthcare.ServiceDefaults.Hosting;

/// <summary>
/// Structured JSON logs on standard output, one event per line, with trace and span ids (@tr, @sp)
/// and the request id. Raw request paths are not logged: request events carry the route template, and properties
/// that carry patient data are redacted. Events from LOG_STORE_LEVEL up are also stored in PostgreSQL for /logger.
/// </summary>
public static class JsonLogging
{
    public static IServiceCollection AddJsonLogging(this IServiceCollection services, string applicationName)
    {
        services.AddValidatedSettings<LoggingOptions, LoggingOptionsValidator>();
        services.AddValidatedSettings<LogStoreOptions, LogStoreOptionsValidator>();
        services.AddMetrics();
        services.AddSingleton<LogStoreMetrics>();
        services.AddSingleton<LogStoreState>();
        // ASP.NET Core's own per-request scope and messages carry the raw path and its own request id;
        // the API writes one request event with the route template and the X-Request-Id instead.
        services.AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None));
        // Each host keeps its own logger (and log store) instead of replacing the process-wide static one, so that hosts
        // sharing a process (tests) neither swap nor close each other's pipelines.
        services.AddSerilog((sp, logger) =>
        {
            // Read directly: a bad LOG_LEVEL is reported with every other bad setting by options validation.
            var configuration = sp.GetRequiredService<IConfiguration>();
            var level = LoggingOptions.TryParseLevel(configuration["LOG_LEVEL"] ?? "info", out var parsed)
                ? parsed
                : LogEventLevel.Information;
            var storeLevel = LogStoreOptions.ParseLevel(configuration["LOG_STORE_LEVEL"] ?? "info");
            var store = storeLevel is null ? null : CreateStore(sp, configuration, applicationName);
            Configure(logger, store is not null && storeLevel < level ? storeLevel.Value : level, applicationName)
                .WriteTo.Console(new RenderedCompactJsonFormatter(), restrictedToMinimumLevel: level);
            if (store is not null)
            {
                logger.WriteTo.Sink(store, storeLevel!.Value);
            }
        }, preserveStaticLogger: true);
        return services;
    }

    /// <summary>
    /// Levels, enrichers and the PHI policies that every output shares: stdout and the stored log receive the same,
    /// already redacted, events.
    /// </summary>
    public static LoggerConfiguration Configure(LoggerConfiguration logger, LogEventLevel level, string applicationName)
    {
        foreach (var type in ApplicationTypesAsIdOnly.LoadedApplicationTypes())
        {
            logger.Destructure.AsScalar(type);
        }

        return logger.MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft.AspNetCore", Max(level, LogEventLevel.Warning))
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore", Max(level, LogEventLevel.Warning))
            // Failed commands surface as exceptions and are logged once where they are handled.
            .MinimumLevel.Override("Microsoft.EntityFrameworkCore.Database.Command", LogEventLevel.Fatal)
            .MinimumLevel.Override("Npgsql", Max(level, LogEventLevel.Warning))
            .MinimumLevel.Override("Microsoft.Extensions.Http", Max(level, LogEventLevel.Warning))
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", Max(level, LogEventLevel.Information))
            // The cache reports every lookup at Information; only its warnings are news.
            .MinimumLevel.Override("ZiggyCreatures.Caching.Fusion", Max(level, LogEventLevel.Warning))
            .Destructure.With<ApplicationTypesAsIdOnly>()
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Application", applicationName)
            .Enrich.With<DropRawPath>()
            // Last, so that it sees every property the others added.
            .Enrich.With<PhiRedaction>();
    }

    /// <summary>The stored log's sink, or none when DATABASE_URL is unusable (validation then stops the process).</summary>
    private static PostgresLogSink? CreateStore(IServiceProvider sp, IConfiguration configuration, string applicationName)
    {
        if (!PostgresConnectionString.TryParse(configuration["DATABASE_URL"], out var connection, out _))
        {
            return null;
        }

        var options = LogStoreOptions.Read(configuration);
        var diagnostics = new LoggerConfiguration()
            .Enrich.WithProperty("SourceContext", typeof(PostgresLogSink).FullName)
            .Enrich.WithProperty("Application", applicationName)
            .WriteTo.Console(new RenderedCompactJsonFormatter())
            .CreateLogger();
        var sink = new PostgresLogSink(
            new PostgresLogSinkSettings(connection.ConnectionString, applicationName, LogStoreState.InstanceName, options.BufferSize)
            {
                Redis = () => sp.GetService<IConnectionMultiplexer>(),
            },
            sp.GetRequiredService<LogStoreMetrics>(),
            diagnostics);
        sp.GetRequiredService<LogStoreState>().Sink = sink;
        return sink;
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
