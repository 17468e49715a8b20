using System.Security.Claims;
using Healthcare.Core.Configuration;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Healthcare.Api.Platform;

/// <summary>Settings for the API's own JWT access tokens.</summary>
public sealed class TokenOptions
{
    /// <summary>Secret: base64 of at least 32 random bytes (HMAC-SHA256 key).</summary>
    [ConfigurationKeyName("JWT_SIGNING_KEY")]
    public string? SigningKey { get; set; }

    [ConfigurationKeyName("JWT_ISSUER")]
    public string Issuer { get; set; } = "healthcare-backend";

    [ConfigurationKeyName("JWT_AUDIENCE")]
    public string Audience { get; set; } = "healthcare-api";

    [ConfigurationKeyName("ACCESS_TOKEN_MINUTES")]
    public int AccessTokenMinutes { get; set; } = 15;

    public SymmetricSecurityKey Key => new(Convert.FromBase64String(SigningKey!)) { KeyId = "primary" };
}

internal sealed class TokenOptionsValidator : IValidateOptions<TokenOptions>
{
    public ValidateOptionsResult Validate(string? name, TokenOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.SigningKey))
        {
            failures.Add("JWT_SIGNING_KEY is not set (base64 of at least 32 random bytes, e.g. `openssl rand -base64 48`)");
        }
        else
        {
            var bytes = new byte[options.SigningKey.Length];
            if (!Convert.TryFromBase64String(options.SigningKey, bytes, out var length))
            {
                failures.Add("JWT_SIGNING_KEY is not valid base64");
            }
            else if (length < 32)
            {
                failures.Add("JWT_SIGNING_KEY must decode to at least 32 bytes");
            }
        }

        if (string.IsNullOrWhiteSpace(options.Issuer))
        {
            failures.Add("JWT_ISSUER must not be empty");
        }

        if (string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add("JWT_AUDIENCE must not be empty");
        }

        Settings.RequireRange(failures, "ACCESS_TOKEN_MINUTES", options.AccessTokenMinutes, 1, 60);
        return Settings.Result(failures);
    }
}

/// <summary>Bearer-token authentication: signature algorithm, issuer, audience and lifetime are all checked.</summary>
public static class TokenAuthentication
{
    public static IServiceCollection AddTokenAuthentication(this IServiceCollection services)
    {
        services.AddValidatedSettings<TokenOptions, TokenOptionsValidator>();
        services.AddSingleton<AccessTokens>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<TokenOptions>>((jwt, tokens) =>
            {
                var settings = tokens.Value;
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = settings.Issuer,
                    ValidAudience = settings.Audience,
                    IssuerSigningKey = settings.Key,
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ValidateIssuer = true,
                    ValidateAudience = true,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = JwtRegisteredClaimNames.Sub,
                };
            });
        services.AddAuthorizationBuilder().AddPlatformPolicies();
        services.AddHttpContextAccessor();
        services.AddScoped<Auditor>();
        services.AddScoped<CurrentUser>();
        return services;
    }
}

/// <summary>Issues short-lived access tokens.</summary>
public sealed class AccessTokens(IOptions<TokenOptions> options, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new();

    public (string Token, int ExpiresInSeconds) Issue(Guid userId, Guid securityStamp)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var lifetime = TimeSpan.FromMinutes(settings.AccessTokenMinutes);
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(settings.Key, SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = userId.ToString(),
                [JwtRegisteredClaimNames.Jti] = Guid.CreateVersion7().ToString(),
                [CurrentUser.SecurityStampClaim] = securityStamp.ToString(),
            },
        });
        return (token, (int)lifetime.TotalSeconds);
    }
}

/// <summary>The caller of the current request, resolved once per request.</summary>
public sealed class CurrentUser(IHttpContextAccessor accessor)
{
    public const string SecurityStampClaim = "sstamp";

    private ClaimsPrincipal? Principal => accessor.HttpContext?.User;

    public bool IsAuthenticated => Principal?.Identity?.IsAuthenticated == true;

    /// <summary>The user's id; only call on endpoints that require authorization.</summary>
    public Guid Id => Guid.TryParse(Principal?.FindFirstValue(JwtRegisteredClaimNames.Sub), out var id)
        ? id
        : throw new InvalidOperationException("No authenticated user on this request.");
}
