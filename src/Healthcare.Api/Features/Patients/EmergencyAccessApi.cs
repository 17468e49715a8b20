using System.ComponentModel.DataAnnotations;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Healthcare.Core.Patients;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Patients;

/// <summary>Emergency ("break-glass") access to a patient outside the caller's clinics.</summary>
public static class EmergencyAccessApi
{
    public static IEndpointRouteBuilder MapEmergencyAccessApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/v1/patients/{id:guid}/emergency-access").WithTags("Emergency access")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("", Open)
            .Audited(AuditActions.BreakGlass, "Patient")
            .WithName("OpenEmergencyAccess")
            .WithSummary("A doctor or nurse states why they must see this patient now; access lasts 60 minutes, is flagged in the audit trail and reported to the patient's clinic admins.")
            .ProducesValidationProblem();
        group.MapGet("", Read)
            .Audited(AuditActions.BreakGlass, "PatientRead")
            .WithName("ReadUnderEmergencyAccess")
            .WithSummary("The patient's record under an open emergency grant; every read is audited with the grant's reason.");
        return endpoints;
    }

    private static async Task<Results<Created<EmergencyAccessDto>, ProblemHttpResult, NotFound>> Open(
        Guid id, EmergencyAccessRequest request, CurrentUser caller, AuthStateCache access, HealthcareDbContext db, TimeProvider clock,
        Auditor audit, CancellationToken cancellationToken)
    {
        var callerAccess = await access.GetAccessAsync(caller.Id, cancellationToken);
        var granting = callerAccess.Roles.Where(r => Permissions.Grants(r.Value, Permissions.BreakGlass)).Select(r => r.Key).ToList();
        if (granting.Count == 0)
        {
            return TypedResults.Problem(title: "Only doctors and nurses can open emergency access.", statusCode: StatusCodes.Status403Forbidden);
        }

        var patient = await db.Patients.Where(p => p.Id == id).Select(p => new { p.Id, p.ClinicId }).SingleOrDefaultAsync(cancellationToken);
        if (patient is null)
        {
            return TypedResults.NotFound();
        }

        // Staff access like any other: the second factor that the patient's clinic, or the clinic whose role grants
        // the access, asks of its staff is asked here too.
        if (!callerAccess.MfaEnabled && await AnyRequiresStaffMfaAsync(access, granting.Append(patient.ClinicId), cancellationToken))
        {
            return TypedResults.Problem(ClinicAuthorizationResults.MfaRequired());
        }

        var now = clock.GetUtcNow();
        var grant = new EmergencyAccess
        {
            UserId = caller.Id,
            PatientId = patient.Id,
            ClinicId = patient.ClinicId,
            Reason = request.Reason.Trim(),
            GrantedAt = now,
            ExpiresAt = now + EmergencyAccess.Lifetime,
        };
        var admins = await db.ClinicMemberships
            .Where(m => m.ClinicId == patient.ClinicId && m.Role == ClinicRoles.ClinicAdmin && !m.User!.IsDisabled)
            .Select(m => m.User!.Email)
            .ToListAsync(cancellationToken);
        // Saved in the audited transaction: grant, alerts and the break-glass audit row commit together.
        db.EmergencyAccessGrants.Add(grant);
        // The alert names the grant, not the patient's details: admins open it in the audit trail.
        db.OutboxMessages.AddRange(admins.Select(to => OutboxMessage.Create(OutboxKinds.BreakGlassAlert, new { to, grantId = grant.Id, clinicId = patient.ClinicId, at = now })));
        await db.SaveChangesAsync(cancellationToken);
        audit.ClinicId = patient.ClinicId;
        audit.PatientId = patient.Id;
        audit.ResourceId = grant.Id.ToString();
        audit.Reason = grant.Reason;
        return TypedResults.Created($"/api/v1/patients/{id}/emergency-access", new EmergencyAccessDto(grant.Id, grant.PatientId, grant.ExpiresAt));
    }

    private static async Task<bool> AnyRequiresStaffMfaAsync(AuthStateCache access, IEnumerable<Guid> clinics, CancellationToken cancellationToken)
    {
        foreach (var clinic in clinics.Distinct())
        {
            if (await access.ClinicRequiresStaffMfaAsync(clinic, cancellationToken))
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<Results<Ok<PatientDto>, NotFound>> Read(
        Guid id, CurrentUser caller, HealthcareDbContext db, TimeProvider clock, Auditor audit, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var grant = await db.EmergencyAccessGrants
            .Where(g => g.UserId == caller.Id && g.PatientId == id && g.ExpiresAt > now)
            .OrderByDescending(g => g.ExpiresAt)
            .FirstOrDefaultAsync(cancellationToken);
        if (grant is null)
        {
            return TypedResults.NotFound();
        }

        var patient = await db.Patients.AsNoTracking().SingleAsync(p => p.Id == id, cancellationToken);
        audit.ClinicId = grant.ClinicId;
        audit.PatientId = id;
        audit.ResourceId = grant.Id.ToString();
        audit.Reason = grant.Reason;
        return TypedResults.Ok(patient.ToDto());
    }
}

public sealed record EmergencyAccessRequest([property: Required, MinLength(10), MaxLength(1000)] string Reason);

public sealed record EmergencyAccessDto(Guid GrantId, Guid PatientId, DateTimeOffset ExpiresAt);
