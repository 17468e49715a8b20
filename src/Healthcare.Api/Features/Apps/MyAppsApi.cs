using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.EntityFrameworkCore.Models;

namespace Healthcare.Api.Features.Apps;

/// <summary>
/// The apps a person has authorized (SMART App Launch) and the way to take that back: revoking an app's
/// authorization revokes its tokens, and its access tokens stop on the next request on every instance.
/// </summary>
public static class MyAppsApi
{
    public static IEndpointRouteBuilder MapMyAppsApi(this IEndpointRouteBuilder endpoints)
    {
        var mine = endpoints.MapGroup("/api/v1/me/apps").WithTags("Apps").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        mine.MapGet("", ListAsync)
            .Audited(AuditActions.Read, "AppAuthorization")
            .WithName("ListMyApps")
            .WithSummary("The apps the signed-in person has authorized and that still hold that authorization.");
        mine.MapDelete("/{id:guid}", RevokeAsync)
            .Audited(AuditActions.Delete, "AppAuthorization")
            .WithName("RevokeMyApp")
            .WithSummary("Take an app's authorization back: its tokens stop working at once.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static async Task<Ok<List<AuthorizedAppDto>>> ListAsync(CurrentUser caller, HealthcareDbContext db, CancellationToken cancellationToken)
    {
        var subject = caller.Id.ToString();
        var rows = await db.Set<OpenIddictEntityFrameworkCoreAuthorization<Guid>>().AsNoTracking()
            .Where(a => a.Subject == subject && a.Status == OpenIddictConstants.Statuses.Valid && a.Application != null)
            .Join(db.ClinicApps, a => a.Application!.ClientId, app => app.ClientId, (a, app) => new { a.Id, app.Name, app.ClientId, a.Scopes, a.CreationDate })
            .OrderByDescending(a => a.CreationDate)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(r => new AuthorizedAppDto(
            r.Id, r.Name, r.ClientId, ScopesOf(r.Scopes), r.CreationDate is { } created ? new DateTimeOffset(created, TimeSpan.Zero) : null)).ToList());
    }

    private static async Task<Results<NoContent, NotFound>> RevokeAsync(
        Guid id, CurrentUser caller, IOpenIddictAuthorizationManager authorizations, IOpenIddictTokenManager tokens, AppStateCache state, Auditor audit,
        CancellationToken cancellationToken)
    {
        var authorization = await authorizations.FindByIdAsync(id.ToString(), cancellationToken);
        if (authorization is null || await authorizations.GetSubjectAsync(authorization, cancellationToken) != caller.Id.ToString())
        {
            return TypedResults.NotFound();
        }

        await authorizations.TryRevokeAsync(authorization, cancellationToken);
        await tokens.RevokeByAuthorizationIdAsync(id.ToString(), cancellationToken);
        await state.ForgetAuthorizationAsync(id, cancellationToken);
        audit.ResourceId = id.ToString();
        return TypedResults.NoContent();
    }

    private static List<string> ScopesOf(string? json) =>
        json is null ? [] : System.Text.Json.JsonSerializer.Deserialize(json, AppsJsonContext.Default.ListString) ?? [];
}

public sealed record AuthorizedAppDto(Guid Id, string Name, string ClientId, List<string> Scopes, DateTimeOffset? AuthorizedAt);
