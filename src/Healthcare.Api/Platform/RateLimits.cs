using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Healthcare.Core.Configuration;
using Healthcare.Core.Observability;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;

namespace Healthcare.Api.Platform;

/// <summary>Request budgets per client, read from the environment variables named on each property.</summary>
public sealed class RateLimitOptions
{
    /// <summary>Requests per window for a signed-in user (by user id) or an anonymous client (by IP address).</summary>
    [ConfigurationKeyName("RATE_LIMIT_MAX_REQUESTS")]
    public int MaxRequests { get; set; } = 1000;

    /// <summary>Requests per window per IP address to the sign-in, refresh, registration and password-reset endpoints.</summary>
    [ConfigurationKeyName("RATE_LIMIT_AUTH_MAX_REQUESTS")]
    public int AuthMaxRequests { get; set; } = 100;

    /// <summary>Requests per window for each third-party app, all its tokens together (its users' and its own).</summary>
    [ConfigurationKeyName("RATE_LIMIT_APP_MAX_REQUESTS")]
    public int AppMaxRequests { get; set; } = 10_000;

    [ConfigurationKeyName("RATE_LIMIT_WINDOW_SECONDS")]
    public int WindowSeconds { get; set; } = 900;
}

internal sealed class RateLimitOptionsValidator : IValidateOptions<RateLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitOptions options)
    {
        var failures = new List<string>();
        Settings.RequireRange(failures, "RATE_LIMIT_MAX_REQUESTS", options.MaxRequests, 1, 100_000_000);
        Settings.RequireRange(failures, "RATE_LIMIT_AUTH_MAX_REQUESTS", options.AuthMaxRequests, 1, 100_000_000);
        Settings.RequireRange(failures, "RATE_LIMIT_APP_MAX_REQUESTS", options.AppMaxRequests, 1, 100_000_000);
        Settings.RequireRange(failures, "RATE_LIMIT_WINDOW_SECONDS", options.WindowSeconds, 1, 86_400);
        return Settings.Result(failures);
    }
}

/// <summary>Marks an endpoint as an authentication endpoint: it gets the stricter per-IP budget.</summary>
public sealed class AuthRateLimitMetadata;

/// <summary>
/// Fixed-window request budgets shared by every API instance through Redis: the authentication budget exactly, one
/// Redis call per request (RedisRateLimiting's Lua script); the general budgets in leases of several permits
/// (<see cref="PermitLeases"/>). When Redis cannot be reached each instance counts on its own with the same budget: the limit loosens by the
/// number of instances for as long as Redis is away, but it never disappears and never refuses everyone.
/// </summary>
public sealed partial class RateLimits : IAsyncDisposable
{
    /// <summary>The budget of the authentication endpoints, counted exactly.</summary>
    public const string AuthPolicy = "auth";

    private readonly IConnectionMultiplexer _redis;
    private readonly PermitLeases _leases;
    private readonly PartitionedRateLimiter<Budget> _shared;
    private readonly PartitionedRateLimiter<Budget> _local;
    private readonly HealthcareMetrics _metrics;
    private readonly ILogger<RateLimits> _logger;
    private int _usingLocal;

    public RateLimits(IConnectionMultiplexer redis, IOptions<RateLimitOptions> options, TimeProvider clock, HealthcareMetrics metrics, ILogger<RateLimits> logger)
    {
        _redis = redis;
        _leases = new PermitLeases(redis, clock);
        _metrics = metrics;
        _logger = logger;
        var settings = options.Value;
        Window = TimeSpan.FromSeconds(settings.WindowSeconds);
        General = settings.MaxRequests;
        Auth = settings.AuthMaxRequests;
        App = settings.AppMaxRequests;
        _shared = PartitionedRateLimiter.Create<Budget, string>(budget => RedisRateLimitPartition.GetFixedWindowRateLimiter(
            budget.Key, _ => new RedisFixedWindowRateLimiterOptions
            {
                ConnectionMultiplexerFactory = () => _redis,
                PermitLimit = budget.Limit,
                Window = Window,
            }));
        _local = PartitionedRateLimiter.Create<Budget, string>(budget => RateLimitPartition.GetFixedWindowLimiter(
            budget.Key, _ => new FixedWindowRateLimiterOptions { PermitLimit = budget.Limit, Window = Window, QueueLimit = 0 }));
    }

    public TimeSpan Window { get; }

    public int General { get; }

    public int Auth { get; }

    public int App { get; }

    /// <summary>Takes one request from the budget; falls back to this instance's own count when Redis fails.</summary>
    public async ValueTask<Verdict> AcquireAsync(Budget budget, CancellationToken cancellationToken)
    {
        if (_redis.IsConnected)
        {
            try
            {
                var verdict = budget.Policy == AuthPolicy ? await AcquireExactAsync(budget, cancellationToken) : await _leases.AcquireAsync(budget, Window, cancellationToken);
                if (Interlocked.Exchange(ref _usingLocal, 0) == 1)
                {
                    LogShared(_logger);
                }

                return verdict;
            }
            catch (RedisException)
            {
                // Connection lost between the check and the call, or a timeout: count locally below.
            }
        }

        if (Interlocked.Exchange(ref _usingLocal, 1) == 0)
        {
            LogLocal(_logger);
        }

        _metrics.RateLimitFallback();
        using var local = await _local.AcquireAsync(budget, 1, cancellationToken);
        var available = _local.GetStatistics(budget)?.CurrentAvailablePermits ?? 0;
        // The in-memory window does not tell when it ends; the window length is the upper bound.
        var wait = local.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : Window;
        return new Verdict(local.IsAcquired, available, (long)Math.Ceiling(wait.TotalSeconds));
    }

    private async ValueTask<Verdict> AcquireExactAsync(Budget budget, CancellationToken cancellationToken)
    {
        using var lease = await _shared.AcquireAsync(budget, 1, cancellationToken);
        var remaining = lease.TryGetMetadata(RateLimitMetadataName.Remaining, out var left) ? left : 0;
        var reset = lease.TryGetMetadata(RateLimitMetadataName.RetryAfter, out var seconds) ? seconds : (long)Window.TotalSeconds;
        return new Verdict(lease.IsAcquired, remaining, Math.Max(reset, 0));
    }

    public async ValueTask DisposeAsync()
    {
        await _shared.DisposeAsync();
        await _local.DisposeAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is unavailable: request rate limits are counted per instance until it returns.")]
    private static partial void LogLocal(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis is back: request rate limits are shared by all instances again.")]
    private static partial void LogShared(ILogger logger);
}

/// <summary>One client's budget: its partition key (policy and client) and its size.</summary>
public readonly record struct Budget(string Policy, string Key, int Limit);

/// <summary>Whether the request may go ahead, what is left of the budget, and in how many seconds it refills.</summary>
public readonly record struct Verdict(bool Allowed, long Remaining, long ResetSeconds);

/// <summary>
/// Applies the budgets to <c>/api</c> and the admin sign-in form, and answers with the <c>RateLimit-*</c> headers
/// (draft-ietf-httpapi-ratelimit-headers) on every limited response, plus 429 problem details and
/// <c>Retry-After</c> once the budget is spent.
/// </summary>
public sealed class RateLimitMiddleware(RequestDelegate next, RateLimits limits, IProblemDetailsService problems, HealthcareMetrics metrics)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (BudgetFor(http) is not { } budget)
        {
            await next(http);
            return;
        }

        var verdict = await limits.AcquireAsync(budget, http.RequestAborted);
        if (verdict.Allowed)
        {
            // Set when the answer starts, so that error answers written after an exception (which clear the
            // response's headers first) carry them too.
            http.Response.OnStarting(static state =>
            {
                var (response, policy, budget, verdict) = ((HttpResponse, string, Budget, Verdict))state;
                SetHeaders(response.Headers, policy, budget, verdict);
                return Task.CompletedTask;
            }, (http.Response, Policy(budget), budget, verdict));
            await next(http);
            return;
        }

        var headers = http.Response.Headers;
        SetHeaders(headers, Policy(budget), budget, verdict);
        metrics.RateLimited(budget.Policy);
        headers.RetryAfter = Math.Max(verdict.ResetSeconds, 1).ToString(CultureInfo.InvariantCulture);
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests.",
                Detail = "The request budget for this client is spent. Retry after the number of seconds in Retry-After.",
            },
        });
    }

    private string Policy(Budget budget) =>
        string.Create(CultureInfo.InvariantCulture, $"{budget.Limit};w={(int)limits.Window.TotalSeconds}");

    private static void SetHeaders(IHeaderDictionary headers, string policy, Budget budget, Verdict verdict)
    {
        headers["RateLimit-Policy"] = policy;
        headers["RateLimit-Limit"] = budget.Limit.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Remaining"] = verdict.Remaining.ToString(CultureInfo.InvariantCulture);
        headers["RateLimit-Reset"] = verdict.ResetSeconds.ToString(CultureInfo.InvariantCulture);
    }

    private Budget? BudgetFor(HttpContext http)
    {
        var path = http.Request.Path;
        var endpoint = http.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<AuthRateLimitMetadata>() is not null)
        {
            return new Budget(RateLimits.AuthPolicy, "auth:" + ClientAddress(http), limits.Auth);
        }

        // A third-party app has one budget for everything done with its tokens, whichever user they act for.
        if (Features.Apps.AppTokens.ClientIdOf(http.User) is { } clientId)
        {
            return new Budget("app", "app:" + clientId, limits.App);
        }

        if (!path.StartsWithSegments("/api"))
        {
            return null;
        }

        var user = http.User.FindFirstValue("sub");
        return user is null
            ? new Budget("anonymous", "ip:" + ClientAddress(http), limits.General)
            : new Budget("user", "user:" + user, limits.General);
    }

    // After UseForwardedHeaders: the client's address when the request came through a trusted proxy.
    private static string ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}

public static class RateLimitServices
{
    public static IServiceCollection AddRateLimits(this IServiceCollection services)
    {
        services.AddValidatedSettings<RateLimitOptions, RateLimitOptionsValidator>();
        services.AddSingleton<RateLimits>();
        return services;
    }

    public static TBuilder WithAuthRateLimit<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AuthRateLimitMetadata());
}
