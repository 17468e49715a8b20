using System.Security.Claims;
using Healthcare.Core.Configuration;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using StackExchange.Redis;

namespace Healthcare.Api.Features.Identity.Authentication;

/// <summary>Settings for the API's own JWT access tokens.</summary>
public sealed class TokenOptions
{
    /// <summary>Secret: a directory of EC P-256 PEM keys named by key id; see <see cref="SigningKeys"/>.</summary>
    [ConfigurationKeyName("JWT_SIGNING_KEYS_DIR")]
    public string? SigningKeysDirectory { get; set; }

    [ConfigurationKeyName("JWT_ISSUER")]
    public string Issuer { get; set; } = "healthcare-backend";

    [ConfigurationKeyName("JWT_AUDIENCE")]
    public string Audience { get; set; } = "healthcare-api";

    [ConfigurationKeyName("ACCESS_TOKEN_MINUTES")]
    public int AccessTokenMinutes { get; set; } = 15;
}

internal sealed class TokenOptionsValidator : IValidateOptions<TokenOptions>
{
    public ValidateOptionsResult Validate(string? name, TokenOptions options)
    {
        var failures = new List<string>();
        if (!SigningKeys.TryLoad(options.SigningKeysDirectory, out _, out var error))
        {
            failures.Add($"JWT_SIGNING_KEYS_DIR {error}");
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
        services.AddSingleton<SigningKeysFactory>();
        services.AddSingleton(sp => sp.GetRequiredService<SigningKeysFactory>().Keys);
        services.AddSingleton<AccessTokens>();
        services.AddSingleton<VerifiedSignatures>();
        services.AddValidatedSettings<SessionOptions, SessionOptionsValidator>();
        services.AddScoped<Sessions>();
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<AuthStateCache>();
        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).ValidateAccessTokens();
        // Every endpoint states RequireAuthorization or AllowAnonymous; a test over the route table enforces it.
        services.AddAuthorizationBuilder().AddPlatformPolicies();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, ClinicPermissionHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ClinicAuthorizationResults>();
        services.AddHttpContextAccessor();
        services.AddScoped<Credentials>();
        services.AddScoped<CurrentUser>();
        return services;
    }

    /// <summary>
    /// The checks every access token passes, wherever it comes from (the Authorization header, or the admin pages'
    /// cookie): signature algorithm, issuer, audience, lifetime, and revocation.
    /// </summary>
    public static OptionsBuilder<JwtBearerOptions> ValidateAccessTokens(this OptionsBuilder<JwtBearerOptions> options) =>
        options.Configure<IOptions<TokenOptions>, SigningKeysFactory, VerifiedSignatures, IHttpContextAccessor>((jwt, tokens, keys, signatures, requests) =>
        {
            var settings = tokens.Value;
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                // First-party tokens name JWT_ISSUER; third-party apps' tokens name the authorization server, which is
                // this API at the address the app reached it by (see Apps.AppAuthorizationServer).
                IssuerValidator = (issuer, token, _) =>
                    issuer == settings.Issuer || (Apps.AppTokens.IsAppToken(token) && issuer == Apps.AppAuthorizationServer.IssuerOf(requests.HttpContext))
                        ? issuer
                        : throw new SecurityTokenInvalidIssuerException("The token's issuer is not accepted."),
                ValidAudience = settings.Audience,
                IssuerSigningKeys = keys.Keys.ValidationKeys,
                // A token names the key that signed it, and only that key is tried: a token without a "kid", or
                // with one that names no current key, is refused even when some current key would verify it.
                IssuerSigningKeyResolver = (_, _, kid, _) => keys.Keys.ValidationKeys.Where(key => key.KeyId == kid),
                TryAllIssuerSigningKeys = false,
                // Pinned: no "none", and no HMAC that could be keyed with a published public key.
                ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ClockSkew = TimeSpan.FromSeconds(30),
                NameClaimType = JwtRegisteredClaimNames.Sub,
                CryptoProviderFactory = signatures,
            };
            jwt.Events = new JwtBearerEvents { OnTokenValidated = RejectRevokedTokensAsync };
        });

    /// <summary>Logout, password change, role change and disabling an account take effect on the next request.</summary>
    private static async Task RejectRevokedTokensAsync(TokenValidatedContext context)
    {
        var principal = context.Principal!;
        // RFC 7515 4.1.11: a "crit" extension the recipient does not understand makes the token invalid; this API
        // understands none.
        if (context.SecurityToken is JsonWebToken token && token.TryGetHeaderValue<object>("crit", out _))
        {
            context.Fail("The token names critical header extensions.");
            return;
        }

        if (Apps.AppTokens.ClientIdOf(principal) is { } clientId)
        {
            if (!await Apps.AppTokens.AcceptAsync(context.HttpContext, principal, clientId))
            {
                context.Fail("The token belongs to a disabled app or is used outside the FHIR API.");
                return;
            }

            // A backend service acts for no user; an app launched by a user goes on to the user's own checks.
            if (Apps.AppTokens.IsSystem(principal))
            {
                return;
            }
        }

        if (!Guid.TryParse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub), out var userId) ||
            !Guid.TryParse(principal.FindFirstValue(CurrentUser.SecurityStampClaim), out var stamp))
        {
            context.Fail("The token lacks its subject or security stamp.");
            return;
        }

        Guid? sessionId = Guid.TryParse(principal.FindFirstValue(CurrentUser.SessionClaim), out var sid) ? sid : null;
        var state = context.HttpContext.RequestServices.GetRequiredService<AuthStateCache>();
        if (!await state.IsValidAsync(userId, stamp, sessionId, context.HttpContext.RequestAborted))
        {
            context.Fail("The token has been revoked.");
        }
    }
}

/// <summary>Issues short-lived access tokens.</summary>
public sealed class AccessTokens(IOptions<TokenOptions> options, SigningKeys keys, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new();

    /// <summary>
    /// A token for the session; <paramref name="scope"/>, when given, narrows what it may do on the FHIR API to those
    /// SMART scopes (see <see cref="Fhir.SmartScopes"/>).
    /// </summary>
    public (string Token, int ExpiresInSeconds) Issue(Guid userId, Guid securityStamp, Guid sessionId, string? scope = null)
    {
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = userId.ToString(),
            [JwtRegisteredClaimNames.Jti] = Guid.CreateVersion7().ToString(),
            [CurrentUser.SecurityStampClaim] = securityStamp.ToString(),
            [CurrentUser.SessionClaim] = sessionId.ToString(),
        };
        if (scope is not null)
        {
            claims[Fhir.SmartScopes.Claim] = scope;
        }

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
            SigningCredentials = new SigningCredentials(keys.Current, SecurityAlgorithms.EcdsaSha256),
            Claims = claims,
        });
        return (token, (int)lifetime.TotalSeconds);
    }
}

/// <summary>The caller of the current request, resolved once per request.</summary>
public sealed class CurrentUser(IHttpContextAccessor accessor)
{
    public const string SecurityStampClaim = "sstamp";
    public const string SessionClaim = "sid";

    private ClaimsPrincipal? Principal => accessor.HttpContext?.User;

    public bool IsAuthenticated => Principal?.Identity?.IsAuthenticated == true;

    /// <summary>The user's id; only call on endpoints that require authorization.</summary>
    public Guid Id => Guid.TryParse(Principal?.FindFirstValue(JwtRegisteredClaimNames.Sub), out var id)
        ? id
        : throw new InvalidOperationException("No authenticated user on this request.");

    /// <summary>The session the access token was issued for.</summary>
    public Guid? SessionId => Guid.TryParse(Principal?.FindFirstValue(SessionClaim), out var id) ? id : null;
}
