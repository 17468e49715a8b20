using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Healthcare.Api.Features.Identity;
using Healthcare.Core.Identity;
using OtpNet;
using Xunit;

namespace Healthcare.Testing;

/// <summary>Accounts for tests that talk to an API process rather than an in-process factory.</summary>
public static class TestAccounts
{
    /// <summary>Writes a super admin with a known password straight into <paramref name="databaseUrl"/>.</summary>
    public static async Task<TestAccount> CreateSuperAdminAsync(string databaseUrl)
    {
        await using var db = TestServers.OpenDbContext(databaseUrl);
        var password = $"Test-{Guid.NewGuid():N}";
        var user = new User
        {
            Email = $"super.admin.{Guid.NewGuid():N}@tests.healthcare.test",
            DisplayName = "Test super admin",
            PasswordHash = PasswordHashing.Hash(password),
            IsSuperAdmin = true,
            EmailVerifiedAt = DateTimeOffset.UtcNow,
        };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return new TestAccount(user.Id, user.Email, password);
    }
}

/// <summary>Enrols an account in TOTP through the API, as an authenticator app user would.</summary>
public static class MfaEnrolment
{
    /// <summary>Returns the shared secret; the code of the current time step has been used to confirm.</summary>
    public static async Task<byte[]> EnrolAsync(HttpClient client, TestAccount account)
    {
        var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { account.Email, account.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
        using var enrol = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/mfa/enrol");
        enrol.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var enrolment = await (await client.SendAsync(enrol)).Content.ReadFromJsonAsync<MfaEnrolmentDto>();
        var secret = Base32Encoding.ToBytes(enrolment!.Secret);
        using var confirm = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/mfa/confirm")
        {
            Content = JsonContent.Create(new { code = Code(secret, DateTime.UtcNow) }),
        };
        confirm.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(confirm)).StatusCode);
        return secret;
    }

    /// <summary>The code of the next time step: accepted once, since the current step was used to confirm.</summary>
    public static string NextCode(byte[] secret) => Code(secret, DateTime.UtcNow.AddSeconds(30));

    public static string Code(byte[] secret, DateTime at) => new Totp(secret).ComputeTotp(at);
}
