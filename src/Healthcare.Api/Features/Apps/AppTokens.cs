using System.Security.Claims;
using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Microsoft.EntityFrameworkCore;
using ZiggyCreatures.Caching.Fusion;

namespace Healthcare.Api.Features.Apps;

/// <summary>
/// What distinguishes a token issued to a third-party app: the <c>client_id</c> claim. An app acting for a user
/// (SMART App Launch) has that user as <c>sub</c> and carries their security stamp; a backend service (SMART Backend
/// Services) is its own subject. App tokens are valid on the FHIR API only.
/// </summary>
public static class AppTokens
{
    public const string ClientIdClaim = "client_id";

    /// <summary>The patient chosen at launch (SMART <c>launch/patient</c>); the token reaches only that patient.</summary>
    public const string PatientClaim = "patient";

    /// <summary>The role recorded in the audit trail for a backend service's access.</summary>
    public const string SystemRole = "app";

    public static string? ClientIdOf(ClaimsPrincipal user) => user.FindFirst(ClientIdClaim)?.Value;

    /// <summary>A backend service's token: issued to the app itself, for no user.</summary>
    public static bool IsSystem(ClaimsPrincipal user) =>
        ClientIdOf(user) is { } clientId && user.FindFirst("sub")?.Value == clientId;

    /// <summary>Whether a validated token is an app's (read before claims are mapped, for the issuer check).</summary>
    public static bool IsAppToken(Microsoft.IdentityModel.Tokens.SecurityToken token) =>
        token is Microsoft.IdentityModel.JsonWebTokens.JsonWebToken jwt && jwt.TryGetPayloadValue<string>(ClientIdClaim, out _);

    /// <summary>
    /// Whether an app's token may be used on this request: only on the FHIR API (the native API's permissions are
    /// not narrowed by scopes), and only while the app is enabled.
    /// </summary>
    public static async Task<bool> AcceptAsync(HttpContext http, ClaimsPrincipal principal, string clientId)
    {
        var state = http.RequestServices.GetRequiredService<AppStateCache>();
        return http.Request.Path.StartsWithSegments(FhirBase) &&
            await state.FindActiveAsync(clientId, http.RequestAborted) is not null &&
            // A token a person authorized stops when they revoke the app (/api/v1/me/apps).
            (principal.FindFirst(AuthorizationClaim)?.Value is not { } authorization ||
                await state.IsAuthorizationValidAsync(authorization, http.RequestAborted));
    }

    /// <summary>The authorization a person gave the app, which their app tokens name.</summary>
    public const string AuthorizationClaim = "authorization";

    private static readonly PathString FhirBase = Fhir.FhirApi.Base;
}

/// <summary>
/// Whether an app may still use its tokens, cached like the users' auth state (a minute in memory, evicted on every
/// instance through the Redis backplane), so that disabling or deleting an app stops its tokens at once.
/// </summary>
public sealed class AppStateCache(IFusionCache cache, LookupDatabase lookups, IHttpContextAccessor requests)
{
    private readonly FusionCacheEntryOptions _entry = cache.CreateEntryOptions();

    /// <summary>The app behind <paramref name="clientId"/> when it exists and is enabled; null otherwise.</summary>
    public async ValueTask<ActiveApp?> FindActiveAsync(string clientId, CancellationToken cancellationToken) =>
        await cache.GetOrSetAsync<ActiveApp?>(Key(clientId), (_, ct) => LoadAsync(clientId, ct), options: _entry, token: cancellationToken);

    public ValueTask ForgetAsync(string clientId, CancellationToken cancellationToken) => requests.HttpContext is { } http
        ? cache.RemoveOnChangeAsync(http, Key(clientId), cancellationToken)
        : cache.RemoveAsync(Key(clientId), token: cancellationToken);

    private static string Key(string clientId) => $"apps:active:{clientId}";

    /// <summary>Whether the authorization a person gave an app still stands.</summary>
    public async ValueTask<bool> IsAuthorizationValidAsync(string authorizationId, CancellationToken cancellationToken) =>
        Guid.TryParse(authorizationId, out var id) &&
        await cache.GetOrSetAsync<bool>(AuthorizationKey(id), async (_, ct) =>
        {
            await using var db = lookups.CreateContext();
            return await db.Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreAuthorization<Guid>>()
                .AnyAsync(a => a.Id == id && a.Status == OpenIddict.Abstractions.OpenIddictConstants.Statuses.Valid, ct);
        }, options: _entry, token: cancellationToken);

    public ValueTask ForgetAuthorizationAsync(Guid authorizationId, CancellationToken cancellationToken) => requests.HttpContext is { } http
        ? cache.RemoveOnChangeAsync(http, AuthorizationKey(authorizationId), cancellationToken)
        : cache.RemoveAsync(AuthorizationKey(authorizationId), token: cancellationToken);

    private static string AuthorizationKey(Guid id) => $"apps:authorization:{id:N}";

    private async Task<ActiveApp?> LoadAsync(string clientId, CancellationToken cancellationToken)
    {
        await using var db = lookups.CreateContext();
        return await db.ClinicApps.AsNoTracking().Where(a => a.ClientId == clientId && a.DisabledAt == null)
            .Select(a => new ActiveApp(a.Id, a.ClinicId, a.Kind))
            .SingleOrDefaultAsync(cancellationToken);
    }
}

/// <summary>An enabled app: its id, the clinic it is limited to (none for a platform-wide app) and its kind.</summary>
public sealed record ActiveApp(Guid Id, Guid? ClinicId, string Kind);
