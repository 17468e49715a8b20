using System.ComponentModel.DataAnnotations;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Clinics;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Patients;
using Healthcare.Core.Scheduling;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Clinics;

/// <summary>Clinics: their profile (time zone, contact, opening hours, appointment policy) and security settings.</summary>
public static class ClinicsApi
{
    private const string Resource = "Clinic";

    public static IEndpointRouteBuilder MapClinicsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/clinics", Create).WithTags("Clinics")
            .ReturnsETag()
            .RequireAuthorization(Policies.SuperAdmin)
            .Audited(AuditActions.Create, Resource)
            .Idempotent()
            .WithName("CreateClinic")
            .WithSummary("Open a new clinic (platform administrators).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

        var clinic = endpoints.MapGroup("/api/v1/clinics/{clinicId:guid}").WithTags("Clinics")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        clinic.MapGet("", Get)
            .ReturnsETag()
            .RequirePermission(Permissions.ClinicRead)
            .WithName("GetClinic")
            .WithSummary("The clinic's profile; the ETag is the version to send as If-Match when updating.");
        clinic.MapPut("", Update)
            .RequirePermission(Permissions.ClinicManage)
            .Audited(AuditActions.Update, Resource)
            .WithName("UpdateClinic")
            .WithSummary("Replace the clinic's profile, opening hours and appointment policy. Needs If-Match.")
            .ProducesValidationProblem()
            .RequiresIfMatch();
        clinic.MapPut("/security", UpdateSecurity)
            .RequirePermission(Permissions.ClinicManage)
            .WithName("UpdateClinicSecurity")
            .WithSummary("Security settings, such as requiring MFA of every staff member.");
        return endpoints;
    }

    private static async Task<Results<Created<ClinicDto>, ValidationProblem, ProblemHttpResult>> Create(
        ClinicRequest request, HttpContext http, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken)
    {
        if (request.Validate() is { } invalid)
        {
            return invalid;
        }

        var name = request.Name.Trim();
        if (await db.Clinics.AnyAsync(c => c.Name == name, cancellationToken))
        {
            return TypedResults.Problem(title: "A clinic with this name exists.", statusCode: StatusCodes.Status409Conflict);
        }

        var clinic = new Clinic { Name = name, TimeZone = request.TimeZone };
        request.ApplyTo(clinic);
        db.Clinics.Add(clinic);
        await db.SaveChangesAsync(cancellationToken);
        audit.ClinicId = clinic.Id;
        audit.ResourceId = clinic.Id.ToString();
        http.SetETag(clinic.Version);
        return TypedResults.Created($"/api/v1/clinics/{clinic.Id}", clinic.ToDto());
    }

    private static async Task<Results<Ok<ClinicDto>, NotFound>> Get(
        Guid clinicId, HttpContext http, ClinicDirectory directory, CancellationToken cancellationToken)
    {
        if (await directory.GetAsync(clinicId, cancellationToken) is not { } clinic)
        {
            return TypedResults.NotFound();
        }

        http.SetETag(clinic.Version);
        return TypedResults.Ok(clinic.Profile);
    }

    private static Task<Results<Ok<ClinicDto>, NotFound, ValidationProblem, ProblemHttpResult>> Update(
        Guid clinicId, ClinicRequest request, HttpContext http, HealthcareDbContext db, AuthStateCache access, ClinicDirectory directory,
        Auditor audit, CancellationToken cancellationToken)
    {
        audit.ResourceId = clinicId.ToString();
        return ConcurrencyCheckedUpdates.UpdateAsync(
            http, db, "clinic",
            validate: request.Validate,
            load: () => db.Clinics.SingleOrDefaultAsync(c => c.Id == clinicId, cancellationToken),
            version: c => c.Version,
            apply: clinic =>
            {
                clinic.Name = request.Name.Trim();
                clinic.TimeZone = request.TimeZone;
                request.ApplyTo(clinic);
                return ConcurrencyCheckedUpdates.Applied;
            },
            refused: e => e.IsUniqueViolation() ? Problems.Field("name", "Another clinic has this name.") : null,
            answer: async clinic =>
            {
                await access.ForgetClinicAsync(clinicId, cancellationToken);
                await directory.ForgetAsync(http, clinicId, cancellationToken);
                return clinic.ToDto();
            });
    }

    private static async Task<NoContent> UpdateSecurity(
        Guid clinicId, ClinicSecurityRequest request, HttpContext http, HealthcareDbContext db, AuthStateCache access,
        ClinicDirectory directory, Auditor audit, CancellationToken cancellationToken)
    {
        await db.Clinics.Where(c => c.Id == clinicId)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.RequireStaffMfa, request.RequireStaffMfa), cancellationToken);
        await access.ForgetClinicAsync(clinicId, cancellationToken);
        await directory.ForgetAsync(http, clinicId, cancellationToken);
        audit.ResourceId = clinicId.ToString();
        await audit.WriteAsync(AuditActions.Update, "ClinicSecurity", AuditOutcomes.Success, cancellationToken);
        return TypedResults.NoContent();
    }
}

public sealed record ClinicRequest(
    [property: Required, MinLength(1), MaxLength(200)] string Name,
    [property: Required, MaxLength(64)] string TimeZone,
    Address? Address,
    [property: Phone, MaxLength(32)] string? Phone,
    [property: EmailAddress, MaxLength(254)] string? Email,
    [property: MaxLength(7)] List<OpeningHours>? OpeningHours,
    AppointmentPolicy? Policy)
{
    public ValidationProblem? Validate()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            return Problems.Field("name", "Give the clinic a name.");
        }

        if (Phone is not null && Phones.ToE164(Phone, Address?.Country) is null)
        {
            return Problems.Field("phone", Phones.Hint);
        }

        if (ClinicTime.FindZone(TimeZone) is null)
        {
            return Problems.Field("timeZone", "Use an IANA time zone id such as Europe/Berlin or America/New_York.");
        }

        if (OpeningHours is { } hours)
        {
            if (hours.Contains(null!))
            {
                return Problems.Field("openingHours", "Each day must be an object, not null.");
            }

            if (hours.Any(h => h.Opens >= h.Closes))
            {
                return Problems.Field("openingHours", "Each day's opening time must be before its closing time.");
            }

            if (hours.GroupBy(h => h.Day).Any(g => g.Count() > 1))
            {
                return Problems.Field("openingHours", "Give each weekday at most once.");
            }
        }

        return Policy is { } policy ? ValidatePolicy(policy) : null;
    }

    public void ApplyTo(Clinic clinic)
    {
        clinic.Address = Address;
        clinic.Phone = Phone is null ? null : Phones.ToE164(Phone, Address?.Country);
        clinic.Email = Email?.Trim().ToLowerInvariant();
        clinic.OpeningHours = OpeningHours?.OrderBy(h => h.Day).ToList() ?? [];
        clinic.Policy = Policy ?? new AppointmentPolicy();
    }

    private static ValidationProblem? ValidatePolicy(AppointmentPolicy policy)
    {
        if (policy.CancellationWindowHours is < 0 or > 168)
        {
            return Problems.Field("policy.cancellationWindowHours", "Use 0 to 168 hours.");
        }

        if (policy.ReminderOffsetsMinutes.Count > 5 || policy.ReminderOffsetsMinutes.Any(m => m is < 5 or > 20160) ||
            policy.ReminderOffsetsMinutes.Distinct().Count() != policy.ReminderOffsetsMinutes.Count)
        {
            return Problems.Field("policy.reminderOffsetsMinutes", "Give up to 5 distinct offsets of 5 minutes to 14 days.");
        }

        if (policy.NoShowGraceMinutes is < 0 or > 240)
        {
            return Problems.Field("policy.noShowGraceMinutes", "Use 0 to 240 minutes.");
        }

        return policy.WaitlistHoldMinutes is < 5 or > 2880
            ? Problems.Field("policy.waitlistHoldMinutes", "Use 5 to 2880 minutes.")
            : null;
    }
}

public sealed record ClinicDto(
    Guid Id,
    string Name,
    string TimeZone,
    Address? Address,
    string? Phone,
    string? Email,
    IReadOnlyList<OpeningHours> OpeningHours,
    AppointmentPolicy Policy,
    bool RequireStaffMfa);

public sealed record ClinicSecurityRequest(bool RequireStaffMfa);

public static class ClinicMapping
{
    public static ClinicDto ToDto(this Clinic c) =>
        new(c.Id, c.Name, c.TimeZone, c.Address, c.Phone, c.Email, c.OpeningHours, c.Policy, c.RequireStaffMfa);
}
