using System.Security.Claims;
using System.Security.Cryptography;
using Healthcare.Api.Features.Identity.Authentication;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Healthcare.Tests.Security;

public sealed class VerifiedSignaturesTests : IDisposable
{
    private readonly ECDsa _signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly JsonWebTokenHandler _handler = new();
    private readonly VerifiedSignatures _signatures = new();
    private readonly SecurityKey _validationKey;

    public VerifiedSignaturesTests() => _validationKey = new ECDsaSecurityKey(_signing) { KeyId = "k1" };

    [Fact]
    public async Task AVerifiedSignatureIsRememberedAndTheTokenStillValidates()
    {
        var token = Issue(_signing, "user-1");

        Assert.True((await ValidateAsync(token)).IsValid);
        Assert.Equal(1, _signatures.Remembered);
        Assert.True((await ValidateAsync(token)).IsValid);
        Assert.Equal(1, _signatures.Remembered);
    }

    [Fact]
    public async Task ARememberedSignatureDoesNotCoverOtherContent()
    {
        var genuine = Issue(_signing, "user-1");
        Assert.True((await ValidateAsync(genuine)).IsValid);
        var forged = Issue(_signing, "user-2");
        var parts = forged.Split('.');
        var withGenuineSignature = $"{parts[0]}.{parts[1]}.{genuine.Split('.')[2]}";

        var result = await ValidateAsync(withGenuineSignature);

        Assert.False(result.IsValid);
        Assert.IsType<SecurityTokenInvalidSignatureException>(result.Exception);
    }

    [Fact]
    public async Task AChangedSignatureIsVerifiedAgainAndFails()
    {
        var genuine = Issue(_signing, "user-1");
        Assert.True((await ValidateAsync(genuine)).IsValid);
        var signature = Base64UrlEncoder.DecodeBytes(genuine.Split('.')[2]);
        signature[^1] ^= 1;
        var changed = string.Join('.', genuine.Split('.')[..2]) + "." + Base64UrlEncoder.Encode(signature);

        Assert.False((await ValidateAsync(changed)).IsValid);
        Assert.Equal(1, _signatures.Remembered);
    }

    [Fact]
    public async Task FailuresAreNotRemembered()
    {
        var foreign = Issue(_other, "user-1");

        Assert.False((await ValidateAsync(foreign)).IsValid);
        Assert.False((await ValidateAsync(foreign)).IsValid);
        Assert.Equal(0, _signatures.Remembered);
    }

    [Fact]
    public async Task TheOtherChecksStillRunForARememberedSignature()
    {
        var token = Issue(_signing, "user-1");
        Assert.True((await ValidateAsync(token)).IsValid);

        var otherAudience = await ValidateAsync(token, audience: "another-api");
        var expired = await ValidateAsync(Issue(_signing, "user-1", expires: DateTime.UtcNow.AddMinutes(-5)));

        Assert.IsType<SecurityTokenInvalidAudienceException>(otherAudience.Exception);
        Assert.IsType<SecurityTokenExpiredException>(expired.Exception);
    }

    public void Dispose()
    {
        _signing.Dispose();
        _other.Dispose();
    }

    private string Issue(ECDsa key, string subject, DateTime? expires = null) => _handler.CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "healthcare-backend",
        Audience = "healthcare-api",
        Subject = new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, subject)]),
        NotBefore = (expires ?? DateTime.UtcNow.AddMinutes(15)).AddMinutes(-15),
        Expires = expires ?? DateTime.UtcNow.AddMinutes(15),
        SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(key) { KeyId = "k1" }, SecurityAlgorithms.EcdsaSha256),
    });

    private Task<TokenValidationResult> ValidateAsync(string token, string audience = "healthcare-api") =>
        _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = "healthcare-backend",
            ValidAudience = audience,
            IssuerSigningKeys = [_validationKey],
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
            ClockSkew = TimeSpan.Zero,
            CryptoProviderFactory = _signatures,
        });
}
