using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Healthcare.Api.Features.Identity;
using Healthcare.Core.Identity;
using Healthcare.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Healthcare.IntegrationTests.Identity;

/// <summary>
/// Attacks through the token header (RFC 7515): the API trusts only the keys in its own key directory, never a
/// key or key location the token names, and refuses extensions it does not understand.
/// </summary>
public sealed class TokenHeaderAttackTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly string[] CriticalExtensions = ["exp-policy"];

    [Fact]
    public async Task AttackerKeyUnderAnUnknownKeyIdIsRejected()
    {
        var (userId, stamp) = await SignInAsync();
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var token = Sign(userId, stamp, new ECDsaSecurityKey(attacker) { KeyId = "attacker-key" });

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(token));
    }

    [Fact]
    public async Task AttackerKeyWithoutAKeyIdIsRejected()
    {
        var (userId, stamp) = await SignInAsync();
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var token = Sign(userId, stamp, new ECDsaSecurityKey(attacker));

        Assert.DoesNotContain("\"kid\"", System.Text.Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(token.Split('.')[0])), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(token));
    }

    [Fact]
    public async Task OurOwnKeyWithoutAKeyIdIsRejected()
    {
        var (userId, stamp) = await SignInAsync();
        using var key = TestKeys.LoadKey(TestKeys.SigningKeysDirectory, "test-key");

        var named = Sign(userId, stamp, new ECDsaSecurityKey(key) { KeyId = "test-key" });
        var unnamed = Sign(userId, stamp, new ECDsaSecurityKey(key));

        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(named));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(unnamed));
    }

    [Theory]
    [InlineData("retired-key")]
    [InlineData("TEST-KEY")]
    public async Task OurOwnKeyUnderAKeyIdThatNamesNoCurrentKeyIsRejected(string kid)
    {
        var (userId, stamp) = await SignInAsync();
        using var key = TestKeys.LoadKey(TestKeys.SigningKeysDirectory, "test-key");

        var token = Sign(userId, stamp, new ECDsaSecurityKey(key) { KeyId = kid });

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(token));
    }

    [Theory]
    [InlineData("jku")]
    [InlineData("x5u")]
    [InlineData("jwk")]
    public async Task KeyNamedInTheHeaderIsNeverTrusted(string header)
    {
        var (userId, stamp) = await SignInAsync();
        using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = attacker.ExportParameters(false);
        object value = header == "jwk"
            ? new Dictionary<string, string>
            {
                ["kty"] = "EC",
                ["crv"] = "P-256",
                ["x"] = Base64UrlEncoder.Encode(publicKey.Q.X),
                ["y"] = Base64UrlEncoder.Encode(publicKey.Q.Y),
                ["kid"] = "test-key",
            }
            : "http://127.0.0.1:9/attacker-keys.json";

        // The attacker's key claims the API's own key id; only the key the API holds may verify it.
        var token = Sign(userId, stamp, new ECDsaSecurityKey(attacker) { KeyId = "test-key" }, new Dictionary<string, object> { [header] = value });

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(token));
    }

    [Fact]
    public async Task CriticalHeaderExtensionTheApiDoesNotUnderstandIsRejected()
    {
        var (userId, stamp) = await SignInAsync();
        using var key = TestKeys.LoadKey(TestKeys.SigningKeysDirectory, "test-key");
        var ourKey = new ECDsaSecurityKey(key) { KeyId = "test-key" };

        var good = Sign(userId, stamp, ourKey);
        var critical = Sign(userId, stamp, ourKey, new Dictionary<string, object> { ["crit"] = CriticalExtensions, ["exp-policy"] = "strict" });

        Assert.Equal(HttpStatusCode.OK, await StatusWithAsync(good));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithAsync(critical));
    }

    private async Task<(Guid UserId, string Stamp)> SignInAsync()
    {
        var clinic = await api.CreateClinicAsync();
        var account = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        var response = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { account.Email, account.Password });
        var token = new JsonWebToken((await response.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken);
        return (account.Id, token.GetClaim("sstamp").Value);
    }

    private async Task<HttpStatusCode> StatusWithAsync(string token)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return (await client.GetAsync("/api/v1/me")).StatusCode;
    }

    private static string Sign(Guid userId, string stamp, SecurityKey key, Dictionary<string, object>? headers = null) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "healthcare-backend",
            Audience = "healthcare-api",
            Expires = DateTime.UtcNow.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["sub"] = userId.ToString(), ["sstamp"] = stamp },
            AdditionalHeaderClaims = headers,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.EcdsaSha256),
        });
}
