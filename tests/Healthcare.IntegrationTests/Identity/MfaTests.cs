using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Healthcare.Api.Features.Identity;
using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Platform;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using OtpNet;

namespace Healthcare.IntegrationTests.Identity;

public sealed class MfaTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task EnrolledUserSignsInWithATotpCodeThatCannotBeReplayed()
    {
        var (account, secret, _) = await EnrolledAsync();
        var next = Code(secret, DateTime.UtcNow.AddSeconds(30));

        var withoutCode = await LoginAsync(account, null);
        var withCode = await LoginAsync(account, next);
        var replayed = await LoginAsync(account, next);

        var problem = await ProblemDetailsTests.AssertProblemAsync(withoutCode, HttpStatusCode.Unauthorized);
        Assert.True(problem.GetProperty("mfaRequired").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, withCode.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
    }

    [Fact]
    public async Task TheTotpSecretIsEncryptedAtRest()
    {
        var (account, secret, _) = await EnrolledAsync();

        var stored = await api.WithDbAsync(db => db.Users.Where(u => u.Id == account.Id).Select(u => u.MfaSecret).SingleAsync());

        var text = System.Text.Encoding.ASCII.GetString(stored!);
        Assert.StartsWith("v1.test1.", text, StringComparison.Ordinal);
        Assert.NotEqual(secret, stored);
        Assert.DoesNotContain(Convert.ToBase64String(secret), text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongCodeIsRefused()
    {
        var (account, secret, _) = await EnrolledAsync();
        var wrong = Code(secret, DateTime.UtcNow.AddMinutes(10));

        var response = await LoginAsync(account, wrong);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task RecoveryCodeWorksOnce()
    {
        var (account, _, recovery) = await EnrolledAsync();

        var first = await LoginAsync(account, recovery[3].ToUpperInvariant());
        var second = await LoginAsync(account, recovery[3]);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, second.StatusCode);
    }

    [Fact]
    public async Task EnrolmentGivesAnAuthenticatorUriAndTenRecoveryCodesAndEndsOldSessions()
    {
        var clinic = await api.CreateClinicAsync();
        var account = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        var client = await api.ClientForAsync(account);

        var enrolment = await (await client.PostAsync("/api/v1/auth/mfa/enrol", null)).Content.ReadFromJsonAsync<MfaEnrolmentDto>();
        var secret = Base32Encoding.ToBytes(enrolment!.Secret);
        var confirm = await client.PostAsJsonAsync("/api/v1/auth/mfa/confirm", new { code = Code(secret, DateTime.UtcNow) });

        Assert.StartsWith("otpauth://totp/Healthcare%20Backend:", enrolment.OtpAuthUri, StringComparison.Ordinal);
        Assert.Contains($"secret={enrolment.Secret}", enrolment.OtpAuthUri, StringComparison.Ordinal);
        Assert.Contains("period=30", enrolment.OtpAuthUri, StringComparison.Ordinal);
        var codes = (await confirm.Content.ReadFromJsonAsync<RecoveryCodesDto>())!.RecoveryCodes;
        Assert.Equal(10, codes.Distinct().Count());
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task DisablingNeedsThePasswordAndACode()
    {
        var (account, secret, recovery) = await EnrolledAsync();
        var login = await LoginAsync(account, Code(secret, DateTime.UtcNow.AddSeconds(30)));
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken);

        var badPassword = await client.PostAsJsonAsync("/api/v1/auth/mfa/disable", new { password = "not the password at all", code = "123456" });
        // An older time step than the one just used would be a replay; a recovery code is accepted.
        var replay = await client.PostAsJsonAsync("/api/v1/auth/mfa/disable", new { password = account.Password, code = Code(secret, DateTime.UtcNow.AddSeconds(-30)) });
        var disabled = await client.PostAsJsonAsync("/api/v1/auth/mfa/disable", new { password = account.Password, code = recovery[0] });

        var problem = await ProblemDetailsTests.AssertProblemAsync(badPassword, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _));
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, disabled.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await LoginAsync(account, null)).StatusCode);
    }

    [Fact]
    public async Task ClinicThatRequiresMfaTurnsAwayStaffWithoutItButNotPatients()
    {
        var clinic = await api.CreateClinicAsync();
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id));
        var doctor = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id));
        var patient = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Patient, clinic.Id));
        Assert.Equal(HttpStatusCode.OK, (await doctor.GetAsync($"/api/v1/clinics/{clinic.Id}/members")).StatusCode);

        var update = await admin.PutAsJsonAsync($"/api/v1/clinics/{clinic.Id}/security", new { requireStaffMfa = true });

        Assert.Equal(HttpStatusCode.NoContent, update.StatusCode);
        var refused = await doctor.GetAsync($"/api/v1/clinics/{clinic.Id}/members");
        var problem = await ProblemDetailsTests.AssertProblemAsync(refused, HttpStatusCode.Forbidden);
        Assert.True(problem.GetProperty("mfaEnrolmentRequired").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await patient.GetAsync($"/api/v1/clinics/{clinic.Id}")).StatusCode);
    }

    private static string Code(byte[] secret, DateTime at) => new Totp(secret).ComputeTotp(at);

    private async Task<(TestAccount Account, byte[] Secret, IReadOnlyList<string> RecoveryCodes)> EnrolledAsync()
    {
        var clinic = await api.CreateClinicAsync();
        var account = await api.CreateUserAsync(ClinicRoles.Nurse, clinic.Id);
        var client = await api.ClientForAsync(account);
        var enrolment = await (await client.PostAsync("/api/v1/auth/mfa/enrol", null)).Content.ReadFromJsonAsync<MfaEnrolmentDto>();
        var secret = Base32Encoding.ToBytes(enrolment!.Secret);
        var confirm = await client.PostAsJsonAsync("/api/v1/auth/mfa/confirm", new { code = Code(secret, DateTime.UtcNow) });
        Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        var codes = (await confirm.Content.ReadFromJsonAsync<RecoveryCodesDto>())!.RecoveryCodes;
        return (account, secret, codes);
    }

    private Task<HttpResponseMessage> LoginAsync(TestAccount account, string? mfaCode) =>
        api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { account.Email, account.Password, mfaCode });
}
