using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Healthcare.Api.Features.Identity;
using Healthcare.Core.Identity;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Platform;

/// <summary>
/// Request budgets on real API processes. Budgets are keyed by user id or client address; each test uses its own
/// user or a made-up client address (sent through X-Forwarded-For from a trusted 127.0.0.1) so that tests sharing
/// the Redis server never share a budget.
/// </summary>
public sealed class RateLimitTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task TwoInstancesShareOneBudgetPerUser()
    {
        var account = await api.CreateUserAsync(ClinicRoles.SuperAdmin);
        var settings = Settings(api.DatabaseUrl, general: 6);
        await using var first = await HostProcess.StartServingAsync(RepositoryPaths.ApiDll, settings);
        await using var second = await HostProcess.StartServingAsync(RepositoryPaths.ApiDll, Settings(api.DatabaseUrl, general: 6));
        var token = await SignInAsync(first, account);

        var remaining = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await GetMeAsync(i % 2 == 0 ? first : second, token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("6", Header(response, "RateLimit-Limit"));
            Assert.Equal("6;w=900", Header(response, "RateLimit-Policy"));
            remaining.Add(Header(response, "RateLimit-Remaining"));
        }

        Assert.Equal(["5", "4", "3", "2", "1", "0"], remaining);
        using var refused = await GetMeAsync(second, token);
        await AssertRefusedAsync(refused, window: 900);
        using var refusedToo = await GetMeAsync(first, token);
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedToo.StatusCode);
    }

    [Fact]
    public async Task AuthenticationEndpointsHaveAStricterBudgetPerClientAddress()
    {
        await using var process = await HostProcess.StartServingAsync(RepositoryPaths.ApiDll, Settings(api.DatabaseUrl, general: 1000, auth: 3));
        using var http = new HttpClient { BaseAddress = process.BaseAddress };
        var client = RandomAddress();

        for (var i = 0; i < 3; i++)
        {
            using var attempt = await LoginAsync(http, client);
            Assert.Equal(HttpStatusCode.Unauthorized, attempt.StatusCode);
            Assert.Equal("3", Header(attempt, "RateLimit-Limit"));
        }

        using var refused = await LoginAsync(http, client);
        await AssertRefusedAsync(refused, window: 900);
        // Another client still has its whole budget, and the general budget is untouched by sign-ins.
        using var other = await LoginAsync(http, RandomAddress());
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        using var me = await SendAsync(http, HttpMethod.Get, "/api/v1/me", client);
        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task WithoutRedisEachInstanceStillLimitsAndStillServes()
    {
        var settings = Settings(api.DatabaseUrl, general: 3);
        settings["REDIS_URL"] = TestServers.UnreachableRedisUrl;
        await using var process = await HostProcess.StartServingAsync(RepositoryPaths.ApiDll, settings);
        using var http = new HttpClient { BaseAddress = process.BaseAddress };
        var client = RandomAddress();

        for (var i = 0; i < 3; i++)
        {
            // Anonymous: counted against the client address before authorization answers 401.
            using var allowed = await SendAsync(http, HttpMethod.Get, "/api/v1/me", client);
            Assert.Equal(HttpStatusCode.Unauthorized, allowed.StatusCode);
            Assert.Equal((2 - i).ToString(CultureInfo.InvariantCulture), Header(allowed, "RateLimit-Remaining"));
        }

        using var refused = await SendAsync(http, HttpMethod.Get, "/api/v1/me", client);
        await AssertRefusedAsync(refused, window: 900);
        using var other = await SendAsync(http, HttpMethod.Get, "/api/v1/me", RandomAddress());
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        using var health = await SendAsync(http, HttpMethod.Get, "/health", client);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.False(health.Headers.Contains("RateLimit-Limit"), "health probes are never rate limited");
        var metrics = await PrometheusText.ScrapeUntilAsync(new Uri(process.BaseAddress, "/metrics"), "healthcare_rate_limit_rejected_total");
        Assert.True(PrometheusText.HasSeries(metrics, "healthcare_rate_limit_local_fallback_total"), "the fallback counter is exported");
        Assert.Contains(metrics.Split('\n'), line => line.StartsWith("healthcare_rate_limit_rejected_total{", StringComparison.Ordinal) && line.Contains("policy=\"anonymous\"", StringComparison.Ordinal));
    }

    private static Dictionary<string, string?> Settings(string databaseUrl, int general, int auth = 1_000_000)
    {
        var settings = HostProcess.ApiSettings(databaseUrl);
        settings["RATE_LIMIT_MAX_REQUESTS"] = general.ToString(CultureInfo.InvariantCulture);
        settings["RATE_LIMIT_AUTH_MAX_REQUESTS"] = auth.ToString(CultureInfo.InvariantCulture);
        settings["TRUSTED_PROXIES"] = "127.0.0.1";
        return settings;
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, int window)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<Microsoft.AspNetCore.Mvc.ProblemDetails>();
        Assert.Equal(429, problem?.Status);
        Assert.Equal("0", Header(response, "RateLimit-Remaining"));
        var retryAfter = int.Parse(Header(response, "Retry-After"), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, window);
    }

    private static async Task<string> SignInAsync(HostProcess process, TestAccount account)
    {
        using var http = new HttpClient { BaseAddress = process.BaseAddress };
        using var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { account.Email, account.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
    }

    private static async Task<HttpResponseMessage> GetMeAsync(HostProcess process, string token)
    {
        using var http = new HttpClient { BaseAddress = process.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }

    private static Task<HttpResponseMessage> LoginAsync(HttpClient http, string client)
    {
        // A different unknown address each time: the per-account sign-in throttle stays out of the way.
        var body = new { email = $"nobody.{Guid.NewGuid():N}@tests.healthcare.test", password = "Not-the-password-1" };
        return SendAsync(http, HttpMethod.Post, "/api/v1/auth/login", client, JsonContent.Create(body));
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient http, HttpMethod method, string path, string client, HttpContent? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body };
        request.Headers.Add("X-Forwarded-For", client);
        return http.SendAsync(request);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : $"(no {name} header)";

    // IPv6 documentation range: enough addresses that no two runs in one window meet.
    private static string RandomAddress() =>
        string.Create(CultureInfo.InvariantCulture, $"2001:db8::{Random.Shared.Next(1, 0xffff):x}:{Random.Shared.Next(1, 0xffff):x}");
}
