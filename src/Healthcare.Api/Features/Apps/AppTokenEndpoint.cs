using System.Security.Claims;
using Healthcare.Api.Features.Fhir;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Apps;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Healthcare.Api.Features.Apps;

/// <summary>
/// The token endpoint's decisions once OpenIddict has checked the protocol (client authentication, the assertion's
/// signature, issuer, audience and lifetime, and <see cref="AssertionReplayHandler"/> its single use): SMART Backend
/// Services' client credentials, with scopes granted only within what the app was registered for.
/// </summary>
public static class AppTokenEndpoint
{
    public static async Task<IResult> ExchangeAsync(
        HttpContext http, HealthcareDbContext db, AppStateCache apps, IOptions<TokenOptions> tokens, Auditor audit)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            return await RedeemAsync(http, apps);
        }

        if (!request.IsClientCredentialsGrantType())
        {
            return Refuse(Errors.UnsupportedGrantType, "This grant type is not supported here.");
        }

        var clientId = request.ClientId!;
        var app = await apps.FindActiveAsync(clientId, http.RequestAborted);
        if (app is null || app.Kind != AppKinds.Backend)
        {
            return Refuse(Errors.InvalidClient, "The app is not a registered, enabled backend service.");
        }

        // OpenIddict has authenticated the client; backend services do it with a signed assertion only.
        if (request.ClientAssertionType != ClientAssertionTypes.JwtBearer)
        {
            await WriteAuditAsync(audit, app, AuditOutcomes.Denied, http.RequestAborted);
            return Refuse(Errors.InvalidClient, "Backend services authenticate with a signed JWT assertion (private_key_jwt).");
        }

        var registered = await db.ClinicApps.AsNoTracking().Where(a => a.ClientId == clientId).Select(a => a.Scopes).SingleAsync(http.RequestAborted);
        var granted = Grant(request.GetScopes(), registered, scope => SmartScopes.ContextOf(scope) == "system");
        if (granted.Count == 0)
        {
            return Refuse(Errors.InvalidScope, "None of the requested scopes is a system scope this app was registered for.");
        }

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Subject, Claims.Role);
        identity.SetClaim(Claims.Subject, clientId);
        identity.SetClaim(Claims.ClientId, clientId);
        identity.SetScopes(granted);
        identity.SetResources(tokens.Value.Audience);
        identity.SetAccessTokenLifetime(AppAuthorizationServer.SystemTokenLifetime);
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        await WriteAuditAsync(audit, app, AuditOutcomes.Success, http.RequestAborted);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// A code or a refresh token that OpenIddict has verified (PKCE, client, single use: a refresh token presented a
    /// second time revokes the authorization's tokens): issued again as long as the person may still sign in and the
    /// app is enabled, with the launch patient in the answer as SMART asks.
    /// </summary>
    private static async Task<IResult> RedeemAsync(HttpContext http, AppStateCache apps)
    {
        var principal = (await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal;
        var state = http.RequestServices.GetRequiredService<AuthStateCache>();
        if (principal is null || !Guid.TryParse(principal.GetClaim(Claims.Subject), out var userId) ||
            !Guid.TryParse(principal.GetClaim(CurrentUser.SecurityStampClaim), out var stamp) ||
            !await state.IsValidAsync(userId, stamp, null, http.RequestAborted) ||
            principal.GetClaim(Claims.ClientId) is not { } clientId || await apps.FindActiveAsync(clientId, http.RequestAborted) is null)
        {
            return Refuse(Errors.InvalidGrant, "The authorization is no longer valid.");
        }

        var properties = new AuthenticationProperties();
        if (principal.GetClaim(AppTokens.PatientClaim) is { } patient)
        {
            properties.Parameters[AppTokens.PatientClaim] = patient;
        }

        return Results.SignIn(principal, properties, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>The requested scopes that the app was registered for and that <paramref name="acceptable"/> lets through.</summary>
    public static List<string> Grant(IEnumerable<string> requested, string registered, Func<string, bool> acceptable)
    {
        var allowed = registered.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        return [.. requested.Distinct(StringComparer.Ordinal).Where(scope => allowed.Contains(scope) && acceptable(scope))];
    }

    private static Task WriteAuditAsync(Auditor audit, ActiveApp app, string outcome, CancellationToken cancellationToken)
    {
        audit.ClinicId = app.ClinicId;
        audit.ResourceId = app.Id.ToString();
        return audit.WriteAsync(AuditActions.AppToken, "App", outcome, cancellationToken);
    }

    private static IResult Refuse(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
