using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Clinics;

/// <summary>A clinic's own profile and its security settings.</summary>
public static class ClinicsApi
{
    public static IEndpointRouteBuilder MapClinicsApi(this IEndpointRouteBuilder endpoints)
    {
        var clinic = endpoints.MapGroup("/api/v1/clinics/{clinicId:guid}").WithTags("Clinics")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        clinic.MapGet("", Get)
            .RequirePermission(Permissions.ClinicRead)
            .WithName("GetClinic")
            .WithSummary("The clinic's profile.");
        clinic.MapPut("/security", UpdateSecurity)
            .RequirePermission(Permissions.ClinicManage)
            .WithName("UpdateClinicSecurity")
            .WithSummary("Security settings, such as requiring MFA of every staff member.");
        return endpoints;
    }

    private static async Task<Results<Ok<ClinicDto>, NotFound>> Get(Guid clinicId, HealthcareDbContext db, CancellationToken cancellationToken)
    {
        var clinic = await db.Clinics.Where(c => c.Id == clinicId)
            .Select(c => new ClinicDto(c.Id, c.Name, c.TimeZone, c.RequireStaffMfa))
            .AsNoTracking()
            .SingleOrDefaultAsync(cancellationToken);
        return clinic is null ? TypedResults.NotFound() : TypedResults.Ok(clinic);
    }

    private static async Task<NoContent> UpdateSecurity(
        Guid clinicId, ClinicSecurityRequest request, HealthcareDbContext db, AuthStateCache access, Auditor audit,
        CancellationToken cancellationToken)
    {
        await db.Clinics.Where(c => c.Id == clinicId)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.RequireStaffMfa, request.RequireStaffMfa), cancellationToken);
        await access.ForgetClinicAsync(clinicId, cancellationToken);
        audit.ResourceId = clinicId.ToString();
        await audit.WriteAsync(AuditActions.Update, "ClinicSecurity", AuditOutcomes.Success, cancellationToken);
        return TypedResults.NoContent();
    }
}

public sealed record ClinicDto(Guid Id, string Name, string TimeZone, bool RequireStaffMfa);

public sealed record ClinicSecurityRequest(bool RequireStaffMfa);
