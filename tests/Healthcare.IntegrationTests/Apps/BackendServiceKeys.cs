using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Healthcare.IntegrationTests.Apps;

/// <summary>A backend service's key pair and the SMART client assertions it signs, as such a service would.</summary>
internal sealed class BackendServiceKey : IDisposable
{
    private readonly ECDsa? _ec;
    private readonly RSA? _rsa;

    private BackendServiceKey(ECDsa? ec, RSA? rsa, string algorithm)
    {
        _ec = ec;
        _rsa = rsa;
        Algorithm = algorithm;
    }

    public string Kid { get; } = Guid.NewGuid().ToString("N");

    public string Algorithm { get; }

    public static BackendServiceKey Es384() => new(ECDsa.Create(ECCurve.NamedCurves.nistP384), null, SecurityAlgorithms.EcdsaSha384);

    public static BackendServiceKey Rs384() => new(null, RSA.Create(2048), SecurityAlgorithms.RsaSha384);

    /// <summary>The public JWK to register.</summary>
    public object PublicJwk() => _ec is not null
        ? new { kty = "EC", kid = Kid, alg = Algorithm, crv = "P-384", x = Encode(_ec.ExportParameters(false).Q.X), y = Encode(_ec.ExportParameters(false).Q.Y) }
        : new { kty = "RSA", kid = Kid, alg = Algorithm, n = Encode(_rsa!.ExportParameters(false).Modulus), e = Encode(_rsa.ExportParameters(false).Exponent) };

    /// <summary>The private JWK, for a client written in another language.</summary>
    public Dictionary<string, string> PrivateJwk()
    {
        var parameters = _ec!.ExportParameters(true);
        return new() { ["kty"] = "EC", ["kid"] = Kid, ["alg"] = Algorithm, ["crv"] = "P-384", ["x"] = Encode(parameters.Q.X), ["y"] = Encode(parameters.Q.Y), ["d"] = Encode(parameters.D) };
    }

    public string Assertion(string clientId, string audience, string? jti = null, TimeSpan? lifetime = null)
    {
        SecurityKey key = _ec is not null ? new ECDsaSecurityKey(_ec) { KeyId = Kid } : new RsaSecurityKey(_rsa!) { KeyId = Kid };
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", clientId), new Claim("jti", jti ?? Guid.NewGuid().ToString())]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now + (lifetime ?? TimeSpan.FromMinutes(4)),
            SigningCredentials = new SigningCredentials(key, Algorithm),
            TokenType = "JWT",
        });
    }

    public static FormUrlEncodedContent TokenRequest(string assertion, string scope) => new(new Dictionary<string, string>
    {
        ["grant_type"] = "client_credentials",
        ["scope"] = scope,
        ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        ["client_assertion"] = assertion,
    });

    public void Dispose()
    {
        _ec?.Dispose();
        _rsa?.Dispose();
    }

    private static string Encode(byte[]? bytes) => Base64UrlEncoder.Encode(bytes);
}

internal sealed record TokenAnswer(
    [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string? AccessToken,
    [property: System.Text.Json.Serialization.JsonPropertyName("token_type")] string? TokenType,
    [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] int ExpiresIn,
    [property: System.Text.Json.Serialization.JsonPropertyName("scope")] string? Scope,
    [property: System.Text.Json.Serialization.JsonPropertyName("error")] string? Error,
    [property: System.Text.Json.Serialization.JsonPropertyName("error_description")] string? ErrorDescription);

internal sealed record RegisteredApp(Guid Id, Guid? ClinicId, string ClientId, string Name, string Kind, string Scopes, DateTimeOffset? DisabledAt);

internal static class AppRequests
{
    public static async Task<RegisteredApp> RegisterBackendAsync(HttpClient admin, Guid clinicId, BackendServiceKey key, string scopes = "system/*.rs")
    {
        var response = await admin.PostAsJsonAsync($"/api/v1/clinics/{clinicId}/apps", new
        {
            name = "Analytics job",
            kind = "backend",
            scopes,
            jwks = new { keys = new[] { key.PublicJwk() } },
        });
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<RegisteredApp>())!;
    }
}
