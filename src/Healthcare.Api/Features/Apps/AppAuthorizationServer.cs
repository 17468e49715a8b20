using System.Security.Cryptography;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Core.Data;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;

namespace Healthcare.Api.Features.Apps;

/// <summary>
/// The authorization server for third-party apps (SMART App Launch and Backend Services), on OpenIddict beside the
/// first-party sign-in. Access tokens are JWTs signed with the API's own ES256 keys, so the FHIR API validates them
/// like any other token and a verifier needs only the published JWKS; authorization codes and refresh tokens are
/// protected with the shared data-protection key ring and tracked in PostgreSQL (rotation, reuse detection,
/// revocation). See ADR 54.
/// </summary>
public static class AppAuthorizationServer
{
    public const string AuthorizePath = "/connect/authorize";
    public const string TokenPath = "/connect/token";
    public const string IntrospectPath = "/connect/introspect";
    public const string RevokePath = "/connect/revoke";

    /// <summary>Backend services' tokens: short-lived, as SMART Backend Services recommends (at most five minutes).</summary>
    public static readonly TimeSpan SystemTokenLifetime = TimeSpan.FromMinutes(5);

    // OpenIddict's internal name for the token type of a client assertion.
    private const string ClientAssertionTokenType = "urn:openiddict:params:oauth:token-type:client_assertion";

    public static WebApplicationBuilder AddAppAuthorization(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var production = builder.Environment.IsProduction();
        services.AddSingleton<AppStateCache>();
        AppKeySource.AddTo(services);
        services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<HealthcareDbContext>().ReplaceDefaultEntities<Guid>())
            .AddServer(server =>
            {
                server.SetAuthorizationEndpointUris(AuthorizePath.TrimStart('/'))
                    .SetTokenEndpointUris(TokenPath.TrimStart('/'))
                    .SetIntrospectionEndpointUris(IntrospectPath.TrimStart('/'))
                    .SetRevocationEndpointUris(RevokePath.TrimStart('/'));
                server.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange()
                    .AllowRefreshTokenFlow()
                    .AllowClientCredentialsFlow();

                // SMART scopes are open-ended (patient/Observation.rs); the token endpoint checks them against the
                // scopes each app was registered with instead of a fixed list.
                server.DisableScopeValidation().IgnoreScopePermissions();
                server.DisableAccessTokenEncryption();

                // A refresh token works once: presenting it again revokes every token of that authorization.
                server.SetRefreshTokenReuseLeeway(TimeSpan.Zero);
                server.UseDataProtection().PreferDefaultAccessTokenFormat();

                // SMART Backend Services clients type their assertions "JWT" (the specification's fixed value) and
                // address them to the token endpoint, where OpenIddict expects the newer explicit type and the issuer:
                // accept both forms.
                server.AddEventHandler<OpenIddictServerEvents.ValidateTokenContext>(handler => handler
                    .UseInlineHandler(context =>
                    {
                        if (context.ValidTokenTypes is { Count: 1 } types && types.Contains(ClientAssertionTokenType) &&
                            context.TokenValidationParameters is { } parameters)
                        {
                            parameters.ValidTypes = [.. parameters.ValidTypes ?? [], "JWT"];
                            if (context.BaseUri is { } origin)
                            {
                                context.ValidAudiences.Add(new Uri(origin, TokenPath.TrimStart('/')).AbsoluteUri);
                            }
                        }

                        return default;
                    })
                    .SetOrder(OpenIddictServerHandlers.Protection.ResolveTokenValidationParameters.Descriptor.Order + 1)
                    .SetType(OpenIddictServerHandlerType.Custom));

                // ... and which it then reads as an identity token: it is the client assertion that was expected.
                server.AddEventHandler<OpenIddictServerEvents.ValidateTokenContext>(handler => handler
                    .UseInlineHandler(context =>
                    {
                        if (context.ValidTokenTypes is { Count: 1 } types && types.Contains(ClientAssertionTokenType) && context.Principal is { } principal)
                        {
                            principal.SetTokenType(ClientAssertionTokenType);
                        }

                        return default;
                    })
                    .SetOrder(OpenIddictServerHandlers.Protection.ValidatePrincipal.Descriptor.Order - 1)
                    .SetType(OpenIddictServerHandlerType.Custom));
                server.AddEventHandler(AssertionReplayHandler.Descriptor);
                var aspNetCore = server.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableTokenEndpointPassthrough();
                if (!production)
                {
                    // Development and tests answer on plain HTTP on loopback; production sits behind TLS (ADR 5).
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            });

        // The signing key is the API's current ES256 key, loaded at start-up like the first-party tokens'.
        services.AddOptions<OpenIddictServerOptions>().Configure<SigningKeysFactory, IOptions<TokenOptions>>((options, keys, tokens) =>
        {
            options.SigningCredentials.Insert(0, new SigningCredentials(keys.Keys.Current, SecurityAlgorithms.EcdsaSha256));

            // OpenIddict insists on an encryption key, though every token it would encrypt goes through data
            // protection instead; derived from the signing key, it is at least the same on every instance.
            var secret = HKDF.DeriveKey(HashAlgorithmName.SHA256, keys.Keys.Current.ECDsa.ExportParameters(true).D!, 32, info: "openiddict encryption"u8.ToArray());
            options.EncryptionCredentials.Add(new EncryptingCredentials(new SymmetricSecurityKey(secret), SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
            options.AccessTokenLifetime = TimeSpan.FromMinutes(tokens.Value.AccessTokenMinutes);

            // SMART App Launch: PKCE with S256 only.
            options.CodeChallengeMethods.Clear();
            options.CodeChallengeMethods.Add(OpenIddictConstants.CodeChallengeMethods.Sha256);
        });
        return builder;
    }

    /// <summary>
    /// The issuer apps' tokens name: this API at the address the request reached it by (after the trusted proxy's
    /// forwarded headers), as OpenIddict derives it when no fixed issuer is set.
    /// </summary>
    public static string? IssuerOf(HttpContext? http) =>
        http is null ? null : $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}/";
}
