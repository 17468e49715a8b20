using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Healthcare.Api.Features.Identity;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.IntegrationTests.Identity;

/// <summary>
/// An account proves that its owner reads its address before it can sign in, and again before it moves to another
/// address; an invitation or a password reset sent to the address counts as proof. No answer tells whether an
/// address has an account.
/// </summary>
public sealed class EmailVerificationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Passphrase = "a long enough passphrase 4711";

    [Fact]
    public async Task ARegisteredAccountSignsInOnlyOnceItsAddressIsConfirmed()
    {
        var email = NewEmail();
        await api.CreateClient().PostAsJsonAsync("/api/v1/auth/register", new { email, password = Passphrase, displayName = "Jane Roe" });

        var before = await LoginAsync(email, Passphrase);
        var wrongPassword = await LoginAsync(email, Passphrase + "x");
        var token = await AccountFlows.TokenSentToAsync(api, OutboxKinds.VerifyEmail, email);
        var verify = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/verify-email", new { token });
        var again = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/verify-email", new { token });
        var after = await LoginAsync(email, Passphrase);

        var refused = await ProblemAssert.StatusAsync(before, HttpStatusCode.Forbidden);
        Assert.True(refused.GetProperty("emailVerificationRequired").GetBoolean());
        // Without the password, an unconfirmed account looks like any wrong sign-in.
        await ProblemAssert.StatusAsync(wrongPassword, HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.NoContent, verify.StatusCode);
        await ProblemAssert.FieldAsync(again, HttpStatusCode.BadRequest, "token");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        var stored = await api.WithDbAsync(db => db.EmailVerifications.Where(v => v.Email == email).Select(v => v.TokenHash).SingleAsync());
        Assert.DoesNotContain(token, Convert.ToBase64String(stored), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExpiredConfirmationLinkIsRefusedAndANewOneCanBeAskedFor()
    {
        var email = NewEmail();
        await api.CreateClient().PostAsJsonAsync("/api/v1/auth/register", new { email, password = Passphrase, displayName = "Jane Roe" });
        var expired = await AccountFlows.TokenSentToAsync(api, OutboxKinds.VerifyEmail, email);
        await api.WithDbAsync(db => db.EmailVerifications.Where(v => v.Email == email)
            .ExecuteUpdateAsync(v => v.SetProperty(x => x.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1))));

        var late = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/verify-email", new { token = expired });
        var resend = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/resend-verification", new { email });
        var fresh = await AccountFlows.TokenSentToAsync(api, OutboxKinds.VerifyEmail, email);
        var verify = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/verify-email", new { token = fresh });

        await ProblemAssert.FieldAsync(late, HttpStatusCode.BadRequest, "token");
        Assert.Equal(HttpStatusCode.Accepted, resend.StatusCode);
        Assert.NotEqual(expired, fresh);
        Assert.Equal(HttpStatusCode.NoContent, verify.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(email, Passphrase)).StatusCode);
    }

    [Fact]
    public async Task ResendingAnswersTheSameForUnconfirmedConfirmedAndUnknownAddresses()
    {
        var unconfirmed = NewEmail();
        await api.CreateClient().PostAsJsonAsync("/api/v1/auth/register", new { email = unconfirmed, password = Passphrase, displayName = "Jane Roe" });
        var confirmed = (await AccountFlows.RegisterConfirmedAsync(api, NewEmail(), Passphrase)).Email;
        var unknown = NewEmail();

        var answers = new List<HttpResponseMessage>();
        foreach (var email in new[] { unconfirmed, confirmed, unknown })
        {
            answers.Add(await api.CreateClient().PostAsJsonAsync("/api/v1/auth/resend-verification", new { email }));
        }

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a.StatusCode));
        Assert.Single((await Task.WhenAll(answers.Select(a => a.Content.ReadAsStringAsync()))).Distinct());
        Assert.Equal(2, await CountSentToAsync(OutboxKinds.VerifyEmail, unconfirmed));
        Assert.Equal(1, await CountSentToAsync(OutboxKinds.VerifyEmail, confirmed));
        Assert.Equal(0, await CountSentToAsync(OutboxKinds.VerifyEmail, unknown));
    }

    [Fact]
    public async Task SomeoneWhoRegisteredAnotherPersonsAddressFirstGetsNothingAndTheOwnerTakesItBackByResettingThePassword()
    {
        var email = NewEmail();
        await api.CreateClient().PostAsJsonAsync("/api/v1/auth/register", new { email, password = "the squatter's passphrase 99", displayName = "Mallory" });
        var owner = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/register", new { email, password = Passphrase, displayName = "Jane Roe" });

        Assert.Equal(HttpStatusCode.Accepted, owner.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await LoginAsync(email, "the squatter's passphrase 99")).StatusCode);
        await api.CreateClient().PostAsJsonAsync("/api/v1/auth/forgot-password", new { email });
        var reset = await AccountFlows.TokenSentToAsync(api, OutboxKinds.PasswordResetEmail, email);
        Assert.Equal(HttpStatusCode.NoContent, (await api.CreateClient().PostAsJsonAsync("/api/v1/auth/reset-password", new { token = reset, newPassword = Passphrase })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(email, Passphrase)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(email, "the squatter's passphrase 99")).StatusCode);
    }

    [Fact]
    public async Task AChangedAddressTakesEffectOnlyOnceTheNewAddressIsConfirmed()
    {
        var account = await AccountFlows.RegisterConfirmedAsync(api, NewEmail(), Passphrase);
        var client = await api.ClientForAsync(account);
        var next = NewEmail();

        var wrong = await client.PostAsJsonAsync("/api/v1/auth/change-email", new { newEmail = next, password = "not the password at all" });
        var asked = await client.PostAsJsonAsync("/api/v1/auth/change-email", new { newEmail = next, password = Passphrase });
        var stillOld = await client.GetFromJsonAsync<MeResponse>("/api/v1/me");
        var newBeforeConfirming = await LoginAsync(next, Passphrase);
        var token = await AccountFlows.TokenSentToAsync(api, OutboxKinds.VerifyEmail, next);
        var confirm = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/verify-email", new { token });

        await ProblemAssert.FieldAsync(wrong, HttpStatusCode.BadRequest, "password");
        Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
        Assert.Equal(account.Email, stillOld!.Email);
        Assert.Equal(HttpStatusCode.Unauthorized, newBeforeConfirming.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, confirm.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginAsync(account.Email, Passphrase)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(next, Passphrase)).StatusCode);
        Assert.Equal(1, await CountSentToAsync(OutboxKinds.EmailChangedEmail, account.Email));
        Assert.Contains(await AuditActionsOfAsync(account.Id), a => a == ("email-change", "denied"));
        Assert.Contains(await AuditActionsOfAsync(account.Id), a => a == ("email-change", "success"));
    }

    [Fact]
    public async Task MovingToAnAddressThatHasAnAccountAnswersTheSameAndSendsNothing()
    {
        var account = await AccountFlows.RegisterConfirmedAsync(api, NewEmail(), Passphrase);
        var taken = (await AccountFlows.RegisterConfirmedAsync(api, NewEmail(), Passphrase)).Email;
        var free = NewEmail();
        var client = await api.ClientForAsync(account);

        var toTaken = await client.PostAsJsonAsync("/api/v1/auth/change-email", new { newEmail = taken, password = Passphrase });
        var toFree = await client.PostAsJsonAsync("/api/v1/auth/change-email", new { newEmail = free, password = Passphrase });

        Assert.Equal(HttpStatusCode.Accepted, toTaken.StatusCode);
        Assert.Equal(await toFree.Content.ReadAsStringAsync(), await toTaken.Content.ReadAsStringAsync());
        Assert.Equal(1, await CountSentToAsync(OutboxKinds.VerifyEmail, taken));
        Assert.Equal(1, await CountSentToAsync(OutboxKinds.VerifyEmail, free));
    }

    [Fact]
    public async Task AnInvitationConfirmsTheAddressOfANewAndOfAnUnconfirmedAccount()
    {
        var clinic = await api.CreateClinicAsync();
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id));
        var newcomer = NewEmail();
        var unconfirmed = NewEmail();
        await api.CreateClient().PostAsJsonAsync("/api/v1/auth/register", new { email = unconfirmed, password = Passphrase, displayName = "Nurse Early" });

        foreach (var (email, role) in new[] { (newcomer, ClinicRoles.Doctor), (unconfirmed, ClinicRoles.Nurse) })
        {
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsJsonAsync($"/api/v1/clinics/{clinic.Id}/invitations", new { email, role })).StatusCode);
            var token = await AccountFlows.TokenSentToAsync(api, OutboxKinds.InvitationEmail, email);
            var accept = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token, password = Passphrase, displayName = "Invited" });
            Assert.Equal(HttpStatusCode.NoContent, accept.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(newcomer, Passphrase)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(unconfirmed, Passphrase)).StatusCode);
    }

    private static string NewEmail() => $"person.{Guid.NewGuid():N}@tests.healthcare.test";

    private Task<HttpResponseMessage> LoginAsync(string email, string password) =>
        api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { email, password });

    private async Task<int> CountSentToAsync(string kind, string email) =>
        (await api.WithDbAsync(db => db.OutboxMessages.Where(m => m.Kind == kind).Select(m => m.Payload).ToListAsync()))
            .Count(p => JsonDocument.Parse(p).RootElement.GetProperty("to").GetString() == email);

    private Task<List<(string Action, string Outcome)>> AuditActionsOfAsync(Guid userId) =>
        api.WithDbAsync(async db => (await db.AuditEvents.Where(e => e.UserId == userId).Select(e => new { e.Action, e.Outcome }).ToListAsync())
            .Select(e => (e.Action, e.Outcome)).ToList());
}
