using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Audit;

/// <summary>Integrity check of the audit trail, for platform administrators.</summary>
public static class AuditApi
{
    private const int MaxPageSize = 200;

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/audit-events", Query)
            .WithTags("Audit")
            .RequirePermission(Permissions.AuditRead)
            .WithName("QueryAuditEvents")
            .WithSummary("A clinic's audit trail, newest first, filtered by patient, user, action and time; keyset paginated.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            // Reading the trail is itself an access worth recording.
            .Audited(AuditActions.Read, "AuditTrail");

        var group = endpoints.MapGroup("/api/v1/audit-events")
            .WithTags("Audit")
            .RequireAuthorization(Policies.SuperAdmin);
        group.MapGet("/verify", Verify)
            .WithName("VerifyAuditTrail")
            .WithSummary("Walk every audit chain and report the first event whose content or link does not match.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .Audited(AuditActions.VerifyAudit, "AuditTrail");
        return endpoints;
    }

    private static async Task<Results<Ok<AuditPage>, ValidationProblem>> Query(
        [AsParameters] AuditQuery query, HealthcareDbContext db, CancellationToken cancellationToken)
    {
        var size = query.Limit ?? 50;
        if (size is < 1 or > MaxPageSize)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [$"Use 1 to {MaxPageSize}."] });
        }

        var events = db.AuditEvents.AsNoTracking().Where(e => e.ClinicId == query.ClinicId);
        if (query.PatientId is { } patient)
        {
            events = events.Where(e => e.PatientId == patient);
        }

        if (query.UserId is { } user)
        {
            events = events.Where(e => e.UserId == user);
        }

        if (!string.IsNullOrEmpty(query.Action))
        {
            events = events.Where(e => e.Action == query.Action);
        }

        if (query.From is { } from)
        {
            events = events.Where(e => e.OccurredAt >= from);
        }

        if (query.To is { } to)
        {
            events = events.Where(e => e.OccurredAt < to);
        }

        if (query.Before is { } before)
        {
            // Keyset pagination: ids grow in chain order, so "older than the last one seen" is stable under inserts.
            events = events.Where(e => e.Id < before);
        }

        var page = await events.OrderByDescending(e => e.Id).Take(size + 1)
            .Select(e => new AuditEventDto(e.Id, e.OccurredAt, e.UserId, e.UserRole, e.Action, e.ResourceType, e.ResourceId,
                e.PatientId, e.Outcome, e.IpAddress, e.RequestId, e.Reason))
            .ToListAsync(cancellationToken);
        var more = page.Count > size;
        if (more)
        {
            page.RemoveAt(size);
        }

        return TypedResults.Ok(new AuditPage(page, more ? page[^1].Id : null));
    }

    private static async Task<Ok<AuditVerificationDto>> Verify(HealthcareDbContext db, CancellationToken cancellationToken)
    {
        var result = await db.VerifyAsync(cancellationToken);
        return TypedResults.Ok(new AuditVerificationDto(
            result.Intact,
            result.EventsChecked,
            result.Chains,
            result.FirstBreak?.EventId,
            result.FirstBreak?.Problem));
    }
}

/// <summary>Filters of the audit query; <c>before</c> is the <c>next</c> value of the previous page.</summary>
public sealed record AuditQuery(Guid ClinicId, Guid? PatientId, Guid? UserId, string? Action, DateTimeOffset? From, DateTimeOffset? To, long? Before, int? Limit);

public sealed record AuditEventDto(
    long Id, DateTimeOffset OccurredAt, Guid? UserId, string? UserRole, string Action, string ResourceType, string? ResourceId,
    Guid? PatientId, string Outcome, string? IpAddress, string? RequestId, string? Reason);

public sealed record AuditPage(IReadOnlyList<AuditEventDto> Events, long? Next);

public sealed record AuditVerificationDto(bool Intact, long EventsChecked, int Chains, long? FirstBrokenEventId, string? Problem);
