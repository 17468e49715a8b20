using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Healthcare.Api.Features.Identity;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Core.Audit;
using Healthcare.Core.Identity;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.IntegrationTests.Identity;

public sealed class SessionTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task RefreshRotatesTheRefreshToken()
    {
        var account = await NewAccountAsync();
        var first = await LoginAsync(account);

        var second = await RefreshAsync(first.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.NotEqual(first.RefreshToken, second.Tokens!.RefreshToken);
        Assert.Equal(43, second.Tokens.RefreshToken.Length);
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(second.Tokens.AccessToken)).StatusCode);
        var third = await RefreshAsync(second.Tokens.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, third.Status);
    }

    [Fact]
    public async Task ReusingARefreshTokenRevokesTheWholeFamily()
    {
        var account = await NewAccountAsync();
        var first = await LoginAsync(account);
        var second = (await RefreshAsync(first.RefreshToken)).Tokens!;

        var replay = await RefreshAsync(first.RefreshToken);

        Assert.Equal(HttpStatusCode.Unauthorized, replay.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(second.RefreshToken)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await MeAsync(second.AccessToken)).StatusCode);
        var reuse = await api.WithDbAsync(db => db.AuditEvents.CountAsync(e => e.UserId == account.Id && e.Action == AuditActions.TokenReuse));
        Assert.Equal(1, reuse);
    }

    [Fact]
    public async Task RefreshTokensAreStoredOnlyAsHashes()
    {
        var account = await NewAccountAsync();
        var tokens = await LoginAsync(account);

        var stored = await api.WithDbAsync(db => db.RefreshTokens.Where(t => t.Session!.UserId == account.Id).Select(t => t.TokenHash).ToListAsync());

        var raw = Convert.FromBase64String(tokens.RefreshToken.Replace('-', '+').Replace('_', '/') + "=");
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(raw), Assert.Single(stored));
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task UnknownOrMalformedRefreshTokenAnswers401(string token)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(token)).Status);
    }

    [Fact]
    public async Task LogoutEndsTheSessionAndItsAccessTokenAtOnce()
    {
        var account = await NewAccountAsync();
        var tokens = await LoginAsync(account);
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(tokens.AccessToken)).StatusCode);

        var logout = await SendAsync(HttpMethod.Post, "/api/v1/auth/logout", tokens.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await MeAsync(tokens.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(tokens.RefreshToken)).Status);
    }

    [Fact]
    public async Task LogoutAllEndsEverySessionOfTheUser()
    {
        var account = await NewAccountAsync();
        var phone = await LoginAsync(account);
        var laptop = await LoginAsync(account);

        var response = await SendAsync(HttpMethod.Post, "/api/v1/auth/logout-all", laptop.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await MeAsync(phone.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await MeAsync(laptop.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(phone.RefreshToken)).Status);
    }

    [Fact]
    public async Task UserListsTheirSessionsAndEndsOne()
    {
        var account = await NewAccountAsync();
        var phone = await LoginAsync(account);
        var laptop = await LoginAsync(account);

        var sessions = await (await SendAsync(HttpMethod.Get, "/api/v1/auth/sessions", laptop.AccessToken)).Content.ReadFromJsonAsync<List<SessionDto>>();
        Assert.Equal(2, sessions!.Count);
        var other = Assert.Single(sessions, s => !s.Current);

        var revoke = await SendAsync(HttpMethod.Delete, $"/api/v1/auth/sessions/{other.Id}", laptop.AccessToken);

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await MeAsync(phone.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(laptop.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task AnotherUsersSessionIsNotFound()
    {
        var mine = await LoginAsync(await NewAccountAsync());
        await LoginAsync(await NewAccountAsync());
        var theirs = await api.WithDbAsync(db => db.Sessions.OrderByDescending(s => s.CreatedAt).Select(s => s.Id).FirstAsync());

        var response = await SendAsync(HttpMethod.Delete, $"/api/v1/auth/sessions/{theirs}", mine.AccessToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(await api.WithDbAsync(db => db.Sessions.Where(s => s.Id == theirs).Select(s => s.RevokedAt).SingleAsync()));
    }

    [Fact]
    public async Task IdleSessionCannotBeRefreshed()
    {
        var account = await NewAccountAsync();
        var tokens = await LoginAsync(account);
        await api.WithDbAsync(db => db.Sessions.Where(s => s.UserId == account.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.IdleExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1))));

        Assert.Equal(HttpStatusCode.Unauthorized, (await RefreshAsync(tokens.RefreshToken)).Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AnAccessTokenDiesWithItsSessionAtTheIdleOrAbsoluteDeadline(bool idle)
    {
        var account = await NewAccountAsync();
        var tokens = await LoginAsync(account);
        var past = DateTimeOffset.UtcNow.AddSeconds(-1);
        await api.WithDbAsync(db => idle
            ? db.Sessions.Where(s => s.UserId == account.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.IdleExpiresAt, past))
            : db.Sessions.Where(s => s.UserId == account.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.AbsoluteExpiresAt, past)));

        // The access token itself is good for minutes more; its session is not.
        Assert.Equal(HttpStatusCode.Unauthorized, (await MeAsync(tokens.AccessToken)).StatusCode);
    }

    [Fact]
    public async Task ARefreshMovesTheCachedDeadlineOnEveryInstance()
    {
        var account = await NewAccountAsync();
        var tokens = await LoginAsync(account);
        // A session 30 s idle-long that is about to lapse; the check below caches that deadline.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(5);
        await api.WithDbAsync(db => db.Sessions.Where(s => s.UserId == account.Id).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.IdleExpiresAt, deadline).SetProperty(x => x.LastUsedAt, deadline.AddSeconds(-30))));
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(tokens.AccessToken)).StatusCode);

        var (status, refreshed) = await RefreshAsync(tokens.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, status);
        var wait = deadline - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        // Past the old deadline, within the new one: the refreshed session's tokens still work.
        Assert.Equal(HttpStatusCode.OK, (await MeAsync(refreshed!.AccessToken)).StatusCode);
    }

    private async Task<TestAccount> NewAccountAsync()
    {
        var clinic = await api.CreateClinicAsync();
        return await api.CreateUserAsync(ClinicRoles.Receptionist, clinic.Id);
    }

    private async Task<TokenResponse> LoginAsync(TestAccount account)
    {
        var response = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { account.Email, account.Password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
    }

    private async Task<(HttpStatusCode Status, TokenResponse? Tokens)> RefreshAsync(string refreshToken)
    {
        var response = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken });
        return (response.StatusCode, response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<TokenResponse>() : null);
    }

    private Task<HttpResponseMessage> MeAsync(string accessToken) => SendAsync(HttpMethod.Get, "/api/v1/me", accessToken);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string accessToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return await api.CreateClient().SendAsync(request);
    }
}

/// <summary>Two API instances over one database and one Redis, as two pods would be.</summary>
public sealed class CrossInstanceRevocationTests(ApiFactory first) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task LogoutOnOneInstanceIsEnforcedByTheOtherAtOnce()
    {
        await using var second = new PeerApiFactory(first);
        await ((IAsyncLifetime)second).InitializeAsync();
        var clinic = await first.CreateClinicAsync();
        var account = await first.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        var login = await first.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { account.Email, account.Password });
        var tokens = (await login.Content.ReadFromJsonAsync<TokenResponse>())!;
        var onSecond = second.CreateClient();
        onSecond.DefaultRequestHeaders.Authorization = new("Bearer", tokens.AccessToken);
        // The second instance now holds the session's state in its memory cache.
        Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync("/api/v1/me")).StatusCode);

        var onFirst = first.CreateClient();
        onFirst.DefaultRequestHeaders.Authorization = new("Bearer", tokens.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, (await onFirst.PostAsync("/api/v1/auth/logout", null)).StatusCode);

        var status = HttpStatusCode.OK;
        for (var i = 0; i < 50 && status == HttpStatusCode.OK; i++)
        {
            await Task.Delay(100);
            status = (await onSecond.GetAsync("/api/v1/me")).StatusCode;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }
}
