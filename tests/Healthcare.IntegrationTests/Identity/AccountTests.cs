using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Healthcare.Api.Features.Identity;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Healthcare.IntegrationTests.Platform;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.IntegrationTests.Identity;

public sealed class AccountTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string StrongPassword = "correct horse battery staple 42";

    [Fact]
    public async Task PatientRegistersConfirmsTheAddressAndSignsIn()
    {
        var email = NewEmail();

        var account = await AccountFlows.RegisterConfirmedAsync(api, email, StrongPassword, "Jane Roe");

        var client = await api.ClientForAsync(account);
        var me = await client.GetFromJsonAsync<MeResponse>("/api/v1/me");
        Assert.Equal(email, me!.Email);
        Assert.Empty(me.Memberships);
        Assert.False(me.IsSuperAdmin);
        Assert.Equal(1, await OutboxCountAsync(OutboxKinds.VerifyEmail, email));
    }

    [Fact]
    public async Task RegisteringAnExistingAddressLooksTheSameAndTellsTheOwner()
    {
        var email = NewEmail();
        var first = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/register", new { email, password = StrongPassword, displayName = "Jane Roe" });

        var second = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/register", new { email, password = "another long passphrase 77", displayName = "Mallory" });

        Assert.Equal(first.StatusCode, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(1, await OutboxCountAsync(OutboxKinds.RegistrationAttemptEmail, email));
        var login = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { email, password = "another long passphrase 77" });
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
    }

    [Theory]
    [InlineData("short pw")]
    [InlineData("password1234")]
    [InlineData("aaaaaaaaaaaaaaaaaaaa")]
    [InlineData("qwertyuiop123")]
    [InlineData("janeroe-janeroe")]
    public async Task GuessablePasswordsAreRefusedNamingTheField(string password)
    {
        var response = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/register", new { email = $"janeroe.{Guid.NewGuid():N}@tests.healthcare.test", password, displayName = "Jane Roe" });

        var problem = await ProblemDetailsTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _), problem.ToString());
    }

    [Fact]
    public async Task LongPasswordsOfAnyCharactersAreAccepted()
    {
        var password = string.Concat(Enumerable.Repeat("Zürich 🏥 café — ", 8)) + Guid.NewGuid();
        var email = NewEmail();

        await AccountFlows.RegisterConfirmedAsync(api, email, password, "Unicode Tester");

        Assert.True(password.Length > 128);
        Assert.Equal(HttpStatusCode.OK, (await api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { email, password })).StatusCode);
    }

    [Fact]
    public async Task ForgotPasswordAnswersTheSameForUnknownAddresses()
    {
        var account = await NewAccountAsync();

        var known = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/forgot-password", new { email = account.Email });
        var unknown = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/forgot-password", new { email = NewEmail() });

        Assert.Equal(HttpStatusCode.Accepted, known.StatusCode);
        Assert.Equal(await known.Content.ReadAsStringAsync(), await unknown.Content.ReadAsStringAsync());
        Assert.Equal(1, await OutboxCountAsync(OutboxKinds.PasswordResetEmail, account.Email));
    }

    [Fact]
    public async Task ResetLinkSetsANewPasswordOnceAndEndsEverySession()
    {
        var account = await NewAccountAsync();
        var signedIn = await api.ClientForAsync(account);
        await api.CreateClient().PostAsJsonAsync("/api/v1/auth/forgot-password", new { email = account.Email });
        var token = await ResetTokenFromOutboxAsync(account.Email);
        var newPassword = "a brand new passphrase " + Guid.NewGuid().ToString("N")[..6];

        var reset = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/reset-password", new { token, newPassword });
        var again = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/reset-password", new { token, newPassword = newPassword + "x" });

        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        var problem = await ProblemDetailsTests.AssertProblemAsync(again, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("token", out _));
        Assert.Equal(HttpStatusCode.Unauthorized, (await signedIn.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { account.Email, account.Password })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { account.Email, password = newPassword })).StatusCode);
        var stored = await api.WithDbAsync(db => db.PasswordResets.Where(r => r.UserId == account.Id).Select(r => r.TokenHash).SingleAsync());
        Assert.DoesNotContain(token, Convert.ToBase64String(stored), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExpiredResetLinkIsRefused()
    {
        var account = await NewAccountAsync();
        await api.CreateClient().PostAsJsonAsync("/api/v1/auth/forgot-password", new { email = account.Email });
        var token = await ResetTokenFromOutboxAsync(account.Email);
        await api.WithDbAsync(db => db.PasswordResets.Where(r => r.UserId == account.Id)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1))));

        var response = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/reset-password", new { token, newPassword = StrongPassword });

        await ProblemDetailsTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ChangingThePasswordNeedsTheCurrentOneAndEndsEverySession()
    {
        var account = await NewAccountAsync();
        var client = await api.ClientForAsync(account);
        var other = await api.ClientForAsync(account);

        var wrong = await client.PostAsJsonAsync("/api/v1/auth/change-password", new { currentPassword = "not my password!!", newPassword = StrongPassword });
        var right = await client.PostAsJsonAsync("/api/v1/auth/change-password", new { currentPassword = account.Password, newPassword = StrongPassword });

        var problem = await ProblemDetailsTests.AssertProblemAsync(wrong, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("currentPassword", out _));
        Assert.Equal(HttpStatusCode.NoContent, right.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await other.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { account.Email, password = StrongPassword })).StatusCode);
        Assert.Equal(1, await OutboxCountAsync(OutboxKinds.PasswordChangedEmail, account.Email));
    }

    private static string NewEmail() => $"patient.{Guid.NewGuid():N}@tests.healthcare.test";

    private async Task<TestAccount> NewAccountAsync()
    {
        var clinic = await api.CreateClinicAsync();
        return await api.CreateUserAsync(ClinicRoles.Nurse, clinic.Id);
    }

    private async Task<int> OutboxCountAsync(string kind, string email) =>
        (await PayloadsAsync(kind)).Count(p => p.GetProperty("to").GetString() == email);

    private async Task<List<JsonElement>> PayloadsAsync(string kind) =>
        (await api.WithDbAsync(db => db.OutboxMessages.Where(m => m.Kind == kind).Select(m => m.Payload).ToListAsync()))
            .Select(p => JsonDocument.Parse(p).RootElement)
            .ToList();

    private async Task<string> ResetTokenFromOutboxAsync(string email)
    {
        var payload = Assert.Single(await PayloadsAsync(OutboxKinds.PasswordResetEmail), p => p.GetProperty("to").GetString() == email);
        return payload.GetProperty("token").GetString()!;
    }
}
