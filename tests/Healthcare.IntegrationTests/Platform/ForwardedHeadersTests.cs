using System.Net.Http.Headers;
using System.Net.Http.Json;
using Healthcare.Api.Features.Identity;
using Healthcare.Core.Identity;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Platform;

/// <summary>
/// Real API processes over one database, each with its own TRUSTED_PROXIES. The test client connects from
/// 127.0.0.1, so it plays the proxy: trusted by the first instance, not by the others.
/// </summary>
public sealed class ForwardedHeadersTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string ClientAddress = "203.0.113.7";

    [Fact]
    public async Task ClientAddressAndSchemeFromATrustedProxyAreBelieved()
    {
        var session = await SignInThroughProxyAsync("127.0.0.1", forwardedFor: ClientAddress);

        Assert.Equal(ClientAddress, session.IpAddress);
        // HSTS goes out on HTTPS only: the API took the scheme from X-Forwarded-Proto.
        Assert.True(session.Hsts, "X-Forwarded-Proto: https from a trusted proxy should make the request HTTPS");
    }

    [Fact]
    public async Task AClientCannotPrependAnAddressToTheProxysHeader()
    {
        // The proxy appends the address it saw; whatever the client wrote before it is not believed.
        var session = await SignInThroughProxyAsync("127.0.0.0/8", forwardedFor: $"198.51.100.99, {ClientAddress}");

        Assert.Equal(ClientAddress, session.IpAddress);
    }

    [Fact]
    public async Task NothingIsBelievedWhenNoProxyIsTrusted()
    {
        // ASP.NET Core trusts loopback by default; with TRUSTED_PROXIES empty the API must not.
        var session = await SignInThroughProxyAsync(trustedProxies: null, forwardedFor: ClientAddress);

        Assert.Equal("127.0.0.1", session.IpAddress);
        Assert.False(session.Hsts, "X-Forwarded-Proto from an untrusted peer must not make the request HTTPS");
    }

    [Fact]
    public async Task HeadersFromAPeerOutsideTheTrustedRangesAreIgnored()
    {
        var session = await SignInThroughProxyAsync("10.0.0.0/8, 192.0.2.1", forwardedFor: ClientAddress);

        Assert.Equal("127.0.0.1", session.IpAddress);
        Assert.False(session.Hsts);
    }

    private async Task<(string? IpAddress, bool Hsts)> SignInThroughProxyAsync(string? trustedProxies, string forwardedFor)
    {
        var account = await api.CreateUserAsync(ClinicRoles.SuperAdmin);
        var settings = HostProcess.ApiSettings(api.DatabaseUrl);
        if (trustedProxies is not null)
        {
            settings["TRUSTED_PROXIES"] = trustedProxies;
        }

        await using var process = await HostProcess.StartServingAsync(RepositoryPaths.ApiDll, settings);
        using var http = new HttpClient { BaseAddress = process.BaseAddress };

        using var login = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login")
        {
            Content = JsonContent.Create(new { account.Email, account.Password }),
        };
        login.Headers.Add("X-Forwarded-For", forwardedFor);
        login.Headers.Add("X-Forwarded-Proto", "https");
        using var response = await http.SendAsync(login);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var hsts = response.Headers.Contains("Strict-Transport-Security");
        var token = await response.Content.ReadFromJsonAsync<TokenResponse>();

        using var list = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/sessions");
        list.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token!.AccessToken);
        using var sessions = await http.SendAsync(list);
        sessions.EnsureSuccessStatusCode();
        var session = Assert.Single((await sessions.Content.ReadFromJsonAsync<List<SessionDto>>())!);
        return (session.IpAddress, hsts);
    }
}
