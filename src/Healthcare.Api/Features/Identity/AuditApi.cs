using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Healthcare.Api.Features.Identity;

/// <summary>Integrity check of the audit trail, for platform administrators.</summary>
public static class AuditApi
{
    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder endpoints)
    {
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

public sealed record AuditVerificationDto(bool Intact, long EventsChecked, int Chains, long? FirstBrokenEventId, string? Problem);
