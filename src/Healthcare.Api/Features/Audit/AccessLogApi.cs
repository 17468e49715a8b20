using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Audit;

/// <summary>A patient's own accounting of who accessed their records, and when.</summary>
public static class AccessLogApi
{
    public static IEndpointRouteBuilder MapAccessLogApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/v1/me/access-log", Get)
            .RequireAuthorization()
            .Audited(AuditActions.Read, "AccessLog")
            .WithTags("Authentication")
            .WithName("GetMyAccessLog")
            .WithSummary("Who read or changed the signed-in patient's records, newest first (up to 200 entries, pageable with before).")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return endpoints;
    }

    private static async Task<Ok<List<AccessLogEntryDto>>> Get(
        CurrentUser caller, HealthcareDbContext db, long? before, CancellationToken cancellationToken)
    {
        var mine = db.Patients.Where(p => p.UserId == caller.Id).Select(p => (Guid?)p.Id);
        var entries = await db.AuditEvents.AsNoTracking()
            .Where(e => mine.Contains(e.PatientId) && (before == null || e.Id < before))
            .OrderByDescending(e => e.Id)
            .Take(200)
            .Select(e => new AccessLogEntryDto(
                e.Id,
                e.OccurredAt,
                e.Action,
                e.ResourceType,
                e.Outcome,
                e.UserId == caller.Id,
                db.Users.Where(u => u.Id == e.UserId).Select(u => u.DisplayName).FirstOrDefault(),
                e.UserRole,
                db.Clinics.Where(c => c.Id == e.ClinicId).Select(c => c.Name).FirstOrDefault(),
                e.Action == Healthcare.Core.Audit.AuditActions.BreakGlass))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(entries);
    }
}

/// <summary>One access to the patient's records: who (name and role), where, what and when.</summary>
public sealed record AccessLogEntryDto(
    long Id, DateTimeOffset OccurredAt, string Action, string ResourceType, string Outcome, bool ByYou,
    string? ActorName, string? ActorRole, string? ClinicName, bool Emergency);
