using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Healthcare.Api.Features.Identity;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Core.Identity;
using Healthcare.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Healthcare.IntegrationTests.Identity;

/// <summary>Every way a token can be wrong answers 401; the JWKS publishes what verifies a good one.</summary>
public sealed class AccessTokenTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Issuer = "healthcare-backend";
    private const string Audience = "healthcare-api";

    [Fact]
    public async Task IssuedTokenIsEs256WithTheCurrentKeyIdAndVerifiesAgainstTheJwks()
    {
        var (account, token) = await LoginAsync();

        var jwt = new JsonWebToken(token);
        Assert.Equal("ES256", jwt.Alg);
        Assert.Equal("test-key", jwt.Kid);
        Assert.Equal(account.Id.ToString(), jwt.Subject);
        Assert.Equal(TimeSpan.FromMinutes(15), jwt.ValidTo - jwt.ValidFrom);

        var jwks = await api.CreateClient().GetStringAsync("/.well-known/jwks.json");
        var keys = new JsonWebKeySet(jwks);
        var key = Assert.Single(keys.Keys);
        Assert.Equal(("EC", "P-256", "test-key"), (key.Kty, key.Crv, key.Kid));
        Assert.DoesNotContain("\"d\"", jwks, StringComparison.Ordinal);
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            IssuerSigningKeys = keys.GetSigningKeys(),
        });
        Assert.True(result.IsValid, result.Exception?.Message);
    }

    [Fact]
    public async Task GoodTokenIsAccepted()
    {
        var (account, _) = await LoginAsync();

        var response = await SendAsync(Sign(account.Id));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AlgNoneIsRejected()
    {
        var (account, _) = await LoginAsync();
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode(JsonSerializer.Serialize(Claims(account.Id)));

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync($"{header}.{payload}.")).StatusCode);
    }

    [Fact]
    public async Task HmacSignedWithThePublicKeyIsRejected()
    {
        var (account, _) = await LoginAsync();
        // Algorithm confusion: an HS256 token keyed with the published public key must not verify.
        using var key = TestKeys.LoadKey(TestKeys.SigningKeysDirectory, "test-key");
        var publicBytes = key.ExportSubjectPublicKeyInfo();
        var token = Sign(account.Id, credentials: new SigningCredentials(new SymmetricSecurityKey(publicBytes) { KeyId = "test-key" }, SecurityAlgorithms.HmacSha256));

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(token)).StatusCode);
    }

    [Fact]
    public async Task TokenSignedWithAnotherKeyUnderTheSameKeyIdIsRejected()
    {
        var (account, _) = await LoginAsync();
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var token = Sign(account.Id, credentials: new SigningCredentials(new ECDsaSecurityKey(other) { KeyId = "test-key" }, SecurityAlgorithms.EcdsaSha256));

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(token)).StatusCode);
    }

    [Theory]
    [InlineData("issuer")]
    [InlineData("audience")]
    [InlineData("expired")]
    [InlineData("not-yet-valid")]
    [InlineData("no-expiry")]
    public async Task TokenWithWrongClaimsIsRejected(string fault)
    {
        var (account, _) = await LoginAsync();
        var now = DateTime.UtcNow;
        var token = fault switch
        {
            "issuer" => Sign(account.Id, issuer: "someone-else"),
            "audience" => Sign(account.Id, audience: "another-api"),
            "expired" => Sign(account.Id, notBefore: now.AddMinutes(-20), expires: now.AddMinutes(-2)),
            "not-yet-valid" => Sign(account.Id, notBefore: now.AddMinutes(2), expires: now.AddMinutes(10)),
            _ => SignWithoutExpiry(account.Id),
        };

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(token)).StatusCode);
    }

    [Fact]
    public async Task TamperedPayloadIsRejected()
    {
        var (account, token) = await LoginAsync();
        var other = await api.CreateUserAsync(ClinicRoles.SuperAdmin);
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace(account.Id.ToString(), other.Id.ToString(), StringComparison.Ordinal);

        var forged = $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(forged)).StatusCode);
    }

    private async Task<(TestAccount Account, string Token)> LoginAsync()
    {
        var clinic = await api.CreateClinicAsync();
        var account = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        var response = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { account.Email, account.Password });
        var token = (await response.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
        Stamps[account.Id] = new JsonWebToken(token).GetClaim("sstamp").Value;
        return (account, token);
    }

    /// <summary>Each user's current security stamp, so hand-made tokens fail only for the fault under test.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, string> Stamps = new();

    private static Dictionary<string, object> Subject(Guid userId) => new()
    {
        ["sub"] = userId.ToString(),
        ["sstamp"] = Stamps[userId],
    };

    private async Task<HttpResponseMessage> SendAsync(string token)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return await client.GetAsync("/api/v1/me");
    }

    private static Dictionary<string, object> Claims(Guid userId) => new(Subject(userId))
    {
        ["iss"] = Issuer,
        ["aud"] = Audience,
        ["exp"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds(),
    };

    private static string Sign(
        Guid userId, string issuer = Issuer, string audience = Audience, DateTime? notBefore = null, DateTime? expires = null,
        SigningCredentials? credentials = null)
    {
        using var key = TestKeys.LoadKey(TestKeys.SigningKeysDirectory, "test-key");
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            NotBefore = notBefore ?? DateTime.UtcNow.AddSeconds(-5),
            Expires = expires ?? DateTime.UtcNow.AddMinutes(5),
            Claims = Subject(userId),
            SigningCredentials = credentials ?? new SigningCredentials(new ECDsaSecurityKey(key) { KeyId = "test-key" }, SecurityAlgorithms.EcdsaSha256),
        });
    }

    private static string SignWithoutExpiry(Guid userId)
    {
        using var key = TestKeys.LoadKey(TestKeys.SigningKeysDirectory, "test-key");
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(
            JsonSerializer.Serialize(new Dictionary<string, object>(Subject(userId)) { ["iss"] = Issuer, ["aud"] = Audience }),
            new SigningCredentials(new ECDsaSecurityKey(key) { KeyId = "test-key" }, SecurityAlgorithms.EcdsaSha256));
    }
}

/// <summary>Two keys in the directory: the newer signs, the older still validates what it signed.</summary>
public sealed class RotatedKeysApi : ApiFactory
{
    public string KeysDirectory { get; } = TestKeys.CreateSigningKeysDirectory("2026-01-old", "2026-02-new");

    protected override Dictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["JWT_SIGNING_KEYS_DIR"] = KeysDirectory;
        return settings;
    }
}

public sealed class KeyRotationTests(RotatedKeysApi api) : IClassFixture<RotatedKeysApi>
{
    [Fact]
    public async Task NewestKeySignsAndTheOlderKeyStillValidates()
    {
        var clinic = await api.CreateClinicAsync();
        var account = await api.CreateUserAsync(ClinicRoles.Nurse, clinic.Id);
        var login = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { account.Email, account.Password });
        var issued = new JsonWebToken((await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken);
        var stamp = issued.GetClaim("sstamp").Value;
        using var oldKey = TestKeys.LoadKey(api.KeysDirectory, "2026-01-old");
        var oldToken = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "healthcare-backend",
            Audience = "healthcare-api",
            Expires = DateTime.UtcNow.AddMinutes(5),
            Claims = new Dictionary<string, object> { ["sub"] = account.Id.ToString(), ["sstamp"] = stamp },
            SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(oldKey) { KeyId = "2026-01-old" }, SecurityAlgorithms.EcdsaSha256),
        });
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", oldToken);

        Assert.Equal("2026-02-new", issued.Kid);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);
        var jwks = await api.CreateClient().GetFromJsonAsync<JwksDocument>("/.well-known/jwks.json");
        Assert.Equal(["2026-01-old", "2026-02-new"], jwks!.Keys.Select(k => k.KeyId));
    }
}
