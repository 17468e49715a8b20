using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Apps;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;

namespace Healthcare.Api.Features.Apps;

/// <summary>
/// A clinic's registered third-party apps: clinic administrators register, list, disable, enable and delete them;
/// every change is audited. Disabling or deleting an app stops its tokens on the next request on every instance.
/// </summary>
public static class ClinicAppsApi
{
    private const string Resource = "App";

    public static IEndpointRouteBuilder MapClinicAppsApi(this IEndpointRouteBuilder endpoints)
    {
        var apps = endpoints.MapGroup("/api/v1/clinics/{clinicId:guid}/apps").WithTags("Apps")
            .RequirePermission(Permissions.ClinicManage)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        apps.MapGet("", List)
            .WithName("ListApps")
            .WithSummary("The apps registered for the clinic, newest first.");
        apps.MapGet("/{id:guid}", Get)
            .WithName("GetApp")
            .WithSummary("One registered app.");
        apps.MapPost("", Register)
            .Audited(AuditActions.Create, Resource)
            .Idempotent()
            .WithName("RegisterApp")
            .WithSummary("Register a public app (redirect URIs, PKCE) or a backend service (public keys, private_key_jwt); the answer carries its client id.")
            .ProducesValidationProblem();
        apps.MapPost("/{id:guid}/disable", (Guid clinicId, Guid id, HealthcareDbContext db, AppStateCache state, TimeProvider clock, Auditor audit, CancellationToken ct) =>
                SetDisabledAsync(clinicId, id, clock.GetUtcNow(), db, state, audit, ct))
            .Audited(AuditActions.Disable, Resource)
            .WithName("DisableApp")
            .WithSummary("Stop the app: its tokens are refused from the next request on and it gets no new ones.");
        apps.MapPost("/{id:guid}/enable", (Guid clinicId, Guid id, HealthcareDbContext db, AppStateCache state, Auditor audit, CancellationToken ct) =>
                SetDisabledAsync(clinicId, id, null, db, state, audit, ct))
            .Audited(AuditActions.Enable, Resource)
            .WithName("EnableApp")
            .WithSummary("Let a disabled app ask for tokens again.");
        apps.MapPost("/{id:guid}/keys/refresh", RefreshKeys)
            .Audited(AuditActions.Update, Resource)
            .WithName("RefreshAppKeys")
            .WithSummary("Read a backend service's public keys again from its JWKS URL (after the service rotated them).")
            .ProducesValidationProblem();
        apps.MapDelete("/{id:guid}", Delete)
            .Audited(AuditActions.Delete, Resource)
            .WithName("DeleteApp")
            .WithSummary("Remove the app with its authorizations and tokens.");
        return endpoints;
    }

    private static async Task<Ok<List<AppDto>>> List(Guid clinicId, HealthcareDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.ClinicApps.AsNoTracking()
            .Where(a => a.ClinicId == clinicId)
            .OrderByDescending(a => a.CreatedAt)
            .Select(a => AppDto.From(a))
            .ToListAsync(cancellationToken));

    private static async Task<Results<Ok<AppDto>, NotFound>> Get(Guid clinicId, Guid id, HealthcareDbContext db, CancellationToken cancellationToken) =>
        await db.ClinicApps.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id && a.ClinicId == clinicId, cancellationToken) is { } app
            ? TypedResults.Ok(AppDto.From(app))
            : TypedResults.NotFound();

    private static async Task<Results<Created<AppDto>, ValidationProblem>> Register(
        Guid clinicId, RegisterAppRequest request, CurrentUser caller, HealthcareDbContext db, IOpenIddictApplicationManager manager,
        AppKeySource keySource, TimeProvider clock, Auditor audit, CancellationToken cancellationToken)
    {
        if (request.JwksUrl is { } url)
        {
            if (request.Jwks is not null || request.Kind != AppKinds.Backend)
            {
                return Problems.Field("jwksUrl", "A backend service gives either its keys or the URL that publishes them.");
            }

            var (keys, refusal) = await keySource.FetchAsync(url, cancellationToken);
            if (keys is null)
            {
                return Problems.Field("jwksUrl", refusal!);
            }

            request = request with { Jwks = keys };
        }

        if (AppRegistration.Check(request) is { } problem)
        {
            return problem;
        }

        var app = new ClinicApp
        {
            ClinicId = clinicId,
            ClientId = "app_" + Tokens.Encode(RandomNumberGenerator.GetBytes(16)),
            Name = request.Name.Trim(),
            Kind = request.Kind,
            Scopes = string.Join(' ', request.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)),
            JwksUrl = request.JwksUrl,
            CreatedByUserId = caller.Id,
            CreatedAt = clock.GetUtcNow(),
        };
        db.ClinicApps.Add(app);

        // OpenIddict's store saves its application row and, in the same SaveChanges, this one.
        await manager.CreateAsync(AppRegistration.Descriptor(app, request), cancellationToken);
        audit.ResourceId = app.Id.ToString();
        return TypedResults.Created($"/api/v1/clinics/{clinicId}/apps/{app.Id}", AppDto.From(app));
    }

    private static async Task<Results<NoContent, NotFound>> SetDisabledAsync(
        Guid clinicId, Guid id, DateTimeOffset? disabledAt, HealthcareDbContext db, AppStateCache state, Auditor audit, CancellationToken cancellationToken)
    {
        var app = await db.ClinicApps.SingleOrDefaultAsync(a => a.Id == id && a.ClinicId == clinicId, cancellationToken);
        if (app is null)
        {
            return TypedResults.NotFound();
        }

        app.DisabledAt = disabledAt;
        await db.SaveChangesAsync(cancellationToken);
        await state.ForgetAsync(app.ClientId, cancellationToken);
        audit.ResourceId = app.Id.ToString();
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> RefreshKeys(
        Guid clinicId, Guid id, HealthcareDbContext db, IOpenIddictApplicationManager manager, AppKeySource keySource, Auditor audit,
        CancellationToken cancellationToken)
    {
        var app = await db.ClinicApps.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id && a.ClinicId == clinicId, cancellationToken);
        if (app is null)
        {
            return TypedResults.NotFound();
        }

        if (app.JwksUrl is null)
        {
            return Problems.Field("jwksUrl", "The app registered its keys directly; register it again to change them.");
        }

        if (await manager.FindByClientIdAsync(app.ClientId, cancellationToken) is not { } registered)
        {
            return TypedResults.NotFound();
        }

        var (keys, refusal) = await keySource.FetchAsync(app.JwksUrl, cancellationToken);
        var request = new RegisterAppRequest(app.Name, app.Kind, app.Scopes, Jwks: keys);
        if (keys is null || AppRegistration.Check(request) is not null)
        {
            return Problems.Field("jwksUrl", refusal ?? "The keys at the JWKS URL are not EC P-384 or RSA keys of 2048 bits or more.");
        }

        var descriptor = new OpenIddictApplicationDescriptor();
        await manager.PopulateAsync(descriptor, registered, cancellationToken);
        descriptor.JsonWebKeySet = AppRegistration.Descriptor(app, request).JsonWebKeySet;
        await manager.UpdateAsync(registered, descriptor, cancellationToken);
        audit.ResourceId = app.Id.ToString();
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound>> Delete(
        Guid clinicId, Guid id, HealthcareDbContext db, IOpenIddictApplicationManager manager, AppStateCache state, Auditor audit,
        CancellationToken cancellationToken)
    {
        var app = await db.ClinicApps.SingleOrDefaultAsync(a => a.Id == id && a.ClinicId == clinicId, cancellationToken);
        if (app is null)
        {
            return TypedResults.NotFound();
        }

        db.ClinicApps.Remove(app);

        // Deleting the OpenIddict application removes its authorizations and tokens, and saves the removal above.
        if (await manager.FindByClientIdAsync(app.ClientId, cancellationToken) is { } registered)
        {
            await manager.DeleteAsync(registered, cancellationToken);
        }
        else
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        await state.ForgetAsync(app.ClientId, cancellationToken);
        audit.ResourceId = app.Id.ToString();
        return TypedResults.NoContent();
    }
}

public sealed record RegisterAppRequest(
    [property: Required, MaxLength(200)] string Name,
    [property: Required, MaxLength(16), OneOf(typeof(AppKinds))] string Kind,
    [property: Required, MaxLength(2000)] string Scopes,
    [property: MaxLength(10)] List<string>? RedirectUris = null,
    PublicKeySet? Jwks = null,
    [property: MaxLength(2000)] string? JwksUrl = null);

/// <summary>A backend service's public keys (RFC 7517), EC P-384 for ES384 or RSA of 2048 bits or more for RS384.</summary>
public sealed record PublicKeySet([property: Required, MaxLength(10)] List<PublicJwk> Keys);

public sealed record PublicJwk(
    [property: Required, MaxLength(8)] string Kty,
    [property: Required, MaxLength(200)] string Kid,
    [property: MaxLength(16)] string? Alg = null,
    [property: MaxLength(8)] string? Use = null,
    [property: MaxLength(16)] string? Crv = null,
    [property: MaxLength(200)] string? X = null,
    [property: MaxLength(200)] string? Y = null,
    [property: MaxLength(2000)] string? N = null,
    [property: MaxLength(20)] string? E = null);

public sealed record AppDto(
    Guid Id, Guid? ClinicId, string ClientId, string Name, [property: OneOf(typeof(AppKinds))] string Kind, string Scopes, string? JwksUrl,
    DateTimeOffset CreatedAt, DateTimeOffset? DisabledAt)
{
    public static AppDto From(ClinicApp app) =>
        new(app.Id, app.ClinicId, app.ClientId, app.Name, app.Kind, app.Scopes, app.JwksUrl, app.CreatedAt, app.DisabledAt);
}
