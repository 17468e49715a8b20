using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Healthcare.Api.Features.Identity;
using Healthcare.Core.Identity;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Faults;

/// <summary>Shared steps of the fault tests: API processes over one database, staff accounts and timing.</summary>
internal static class FaultApis
{
    /// <summary>Starts an API process; <paramref name="configure"/> adjusts its settings (pool size, timeouts, Redis).</summary>
    public static Task<HostProcess> StartAsync(string databaseUrl, Action<Dictionary<string, string?>>? configure = null)
    {
        var settings = HostProcess.ApiSettings(databaseUrl);
        settings["LOG_LEVEL"] = "warning";
        configure?.Invoke(settings);
        return HostProcess.StartServingAsync(RepositoryPaths.ApiDll, settings);
    }

    /// <summary>Creates a member of <paramref name="clinicId"/> with <paramref name="role"/>, straight into the database.</summary>
    public static async Task<TestAccount> CreateUserAsync(string databaseUrl, string role, Guid clinicId)
    {
        await using var db = TestServers.OpenDbContext(databaseUrl);
        var password = $"Test-{Guid.NewGuid():N}";
        var email = $"{role.Replace('_', '.')}.{Guid.NewGuid():N}@tests.healthcare.test";
        var user = new User { Email = email, DisplayName = $"Test {role}", PasswordHash = PasswordHashing.Hash(password), EmailVerifiedAt = DateTimeOffset.UtcNow };
        user.Memberships.Add(new ClinicMembership { ClinicId = clinicId, Role = role });
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return new TestAccount(user.Id, email, password);
    }

    /// <summary>Signs in through <paramref name="api"/> and returns the bearer token (valid on every instance).</summary>
    public static async Task<string> TokenAsync(HostProcess api, TestAccount account)
    {
        using var client = new HttpClient { BaseAddress = api.BaseAddress };
        var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { account.Email, account.Password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
    }

    /// <summary>
    /// A client for <paramref name="api"/> with a bearer token and a bounded wait per request (30 s by default),
    /// scaled by <see cref="TestTimeouts.Scale"/>.
    /// </summary>
    public static HttpClient Client(HostProcess api, string token, TimeSpan? timeout = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = api.BaseAddress,
            Timeout = TestTimeouts.Scaled(timeout ?? TimeSpan.FromSeconds(30)),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>The lines the process has logged at Error so far, on stdout or stderr.</summary>
    public static List<string> ErrorLines(HostProcess api) =>
        [.. api.StandardOutput.Concat(api.StandardError).Where(line => line.Contains("\"@l\":\"Error\"", StringComparison.Ordinal))];

    /// <summary>Sends a GET and returns its status (0 for no answer at all) and how long it took.</summary>
    public static async Task<(int Status, TimeSpan Elapsed, HttpResponseMessage? Response)> TimedGetAsync(HttpClient client, string path)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var response = await client.GetAsync(path);
            return ((int)response.StatusCode, watch.Elapsed, response);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (0, watch.Elapsed, null);
        }
    }
}
