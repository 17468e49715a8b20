using System.Text.Json;
using Healthcare.Core.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using StackExchange.Redis;

namespace Healthcare.ServiceDefaults.Health;

/// <summary>
/// <c>/health</c> answers whether the process is alive (no dependency calls); <c>/health/ready</c>
/// checks PostgreSQL, Redis and the schema version. Redis down is "Degraded" (still 200), because the
/// API keeps serving without its cache.
/// </summary>
public static class HealthChecks
{
    /// <summary>Checks with this tag decide <c>/health/ready</c>.</summary>
    public const string ReadyTag = "ready";
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    public static IServiceCollection AddDependencyHealthChecks(this IServiceCollection services)
    {
        services.AddSingleton<MigrationsHealthCheck>();
        services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgres", HealthStatus.Unhealthy, [ReadyTag], CheckTimeout)
            .AddCheck<RedisHealthCheck>("redis", HealthStatus.Degraded, [ReadyTag], CheckTimeout)
            .AddCheck<MigrationsHealthCheck>("migrations", HealthStatus.Unhealthy, [ReadyTag], CheckTimeout);
        return services;
    }

    public static IEndpointConventionBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/health").WithTags("Health").AllowAnonymous().ExcludeFromDescription()
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head]));
        group.MapHealthChecks("", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteJson });
        group.MapHealthChecks("/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteJson });
        return group;
    }

    private static Task WriteJson(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        var body = new HealthResponse(
            report.Status.ToString(),
            report.TotalDuration.TotalMilliseconds,
            report.Entries.ToDictionary(
                e => e.Key,
                e => new HealthEntry(e.Value.Status.ToString(), e.Value.Duration.TotalMilliseconds, e.Value.Description)));
        return JsonSerializer.SerializeAsync(context.Response.Body, body, HealthJson.Default.HealthResponse, context.RequestAborted);
    }
}

public sealed record HealthResponse(string Status, double DurationMs, Dictionary<string, HealthEntry> Checks);

public sealed record HealthEntry(string Status, double DurationMs, string? Description);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(HealthResponse))]
internal sealed partial class HealthJson : System.Text.Json.Serialization.JsonSerializerContext;

internal sealed class PostgresHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy("reachable");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            // The exception message may name hosts and users; the probe answer says only what failed.
            return new HealthCheckResult(context.Registration.FailureStatus, "unreachable");
        }
    }
}

internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await redis.GetDatabase().PingAsync().WaitAsync(cancellationToken);
            return HealthCheckResult.Healthy("reachable");
        }
        catch (Exception e) when (e is RedisException or TimeoutException or OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "unreachable: serving without cache");
        }
    }
}

/// <summary>Ready only when the database schema has every migration this build knows about.</summary>
internal sealed class MigrationsHealthCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    // Once every migration is applied it stays applied for the life of this process.
    private volatile bool _upToDate;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_upToDate)
        {
            return HealthCheckResult.Healthy("up to date");
        }

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<HealthcareDbContext>();
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
            _upToDate = pending == 0;
            return _upToDate
                ? HealthCheckResult.Healthy("up to date")
                : new HealthCheckResult(context.Registration.FailureStatus, $"{pending} migration(s) pending");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "cannot read the schema version");
        }
    }
}
