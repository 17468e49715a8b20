using Healthcare.ServiceDefaults.Health;
using Healthcare.ServiceDefaults.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Healthcare.Api.Platform;

/// <summary>
/// Graceful shutdown in two steps: on SIGTERM readiness turns 503 at once, the listener keeps serving for
/// SHUTDOWN_DRAIN_SECONDS so that load balancers take the instance out first, then Kestrel stops accepting and
/// waits for the requests in flight. See ADR 0037.
/// </summary>
public static class ShutdownDrain
{
    public static IServiceCollection AddShutdownDrain(this IServiceCollection services)
    {
        services.AddHostedService<ShutdownDrainService>();
        services.AddHealthChecks().AddCheck<ShutdownHealthCheck>("shutdown", HealthStatus.Unhealthy, [HealthChecks.ReadyTag]);
        // The drain and the longest request both have to fit in the host's stop time.
        services.AddOptions<HostOptions>().Configure<IOptions<HttpServerOptions>>((host, http) =>
        {
            var needed = TimeSpan.FromSeconds(http.Value.ShutdownDrainSeconds + http.Value.RequestTimeoutSeconds + 5);
            if (host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });
        return services;
    }
}

/// <summary>Waits out the drain before any hosted service (Kestrel included) is asked to stop.</summary>
internal sealed partial class ShutdownDrainService(IOptions<HttpServerOptions> options, ILogger<ShutdownDrainService> logger)
    : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var drain = TimeSpan.FromSeconds(options.Value.ShutdownDrainSeconds);
        if (drain > TimeSpan.Zero)
        {
            LogDraining(logger, options.Value.ShutdownDrainSeconds);
            await Task.Delay(drain, cancellationToken);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: not ready, still serving for {DrainSeconds} s")]
    private static partial void LogDraining(ILogger logger, int drainSeconds);
}

/// <summary>Unhealthy (so not ready) from the moment the host is asked to stop.</summary>
internal sealed class ShutdownHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? new HealthCheckResult(context.Registration.FailureStatus, "shutting down")
            : HealthCheckResult.Healthy("running"));
}
