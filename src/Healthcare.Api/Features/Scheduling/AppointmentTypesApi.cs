using System.ComponentModel.DataAnnotations;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Scheduling;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Scheduling;

/// <summary>What a clinic offers to book (in person, video, home visit), with durations and buffers.</summary>
public static class AppointmentTypesApi
{
    private const string Resource = "AppointmentType";

    public static IEndpointRouteBuilder MapAppointmentTypesApi(this IEndpointRouteBuilder endpoints)
    {
        var types = endpoints.MapGroup("/api/v1/clinics/{clinicId:guid}/appointment-types").WithTags("Scheduling")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        types.MapGet("", List)
            .RequirePermission(Permissions.ClinicRead)
            .WithName("ListAppointmentTypes")
            .WithSummary("The clinic's appointment types, active ones first.");
        types.MapGet("/{id:guid}", Get)
            .ReturnsETag()
            .RequirePermission(Permissions.ClinicRead)
            .WithName("GetAppointmentType")
            .WithSummary("One appointment type; the ETag is the version to send as If-Match when updating.");
        types.MapPost("", Create)
            .ReturnsETag()
            .RequirePermission(Permissions.ClinicManage)
            .Audited(AuditActions.Create, Resource)
            .Idempotent()
            .WithName("CreateAppointmentType")
            .WithSummary("Add an appointment type.")
            .ProducesValidationProblem();
        types.MapPut("/{id:guid}", Update)
            .RequirePermission(Permissions.ClinicManage)
            .Audited(AuditActions.Update, Resource)
            .WithName("UpdateAppointmentType")
            .WithSummary("Change an appointment type; booked appointments keep their times. Needs If-Match.")
            .ProducesValidationProblem()
            .RequiresIfMatch();
        return endpoints;
    }

    private static async Task<Ok<List<AppointmentTypeDto>>> List(Guid clinicId, HealthcareDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.AppointmentTypes.AsNoTracking()
            .Where(t => t.ClinicId == clinicId)
            .OrderByDescending(t => t.IsActive).ThenBy(t => t.Name)
            .Select(t => new AppointmentTypeDto(t.Id, t.ClinicId, t.Name, t.Mode, t.DurationMinutes, t.BufferMinutes, t.IsActive))
            .ToListAsync(cancellationToken));

    private static async Task<Results<Ok<AppointmentTypeDto>, NotFound>> Get(
        Guid clinicId, Guid id, HttpContext http, HealthcareDbContext db, CancellationToken cancellationToken)
    {
        var type = await db.AppointmentTypes.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id && t.ClinicId == clinicId, cancellationToken);
        if (type is null)
        {
            return TypedResults.NotFound();
        }

        http.SetETag(type.Version);
        return TypedResults.Ok(type.ToDto());
    }

    private static async Task<Results<Created<AppointmentTypeDto>, ValidationProblem>> Create(
        Guid clinicId, AppointmentTypeRequest request, HttpContext http, HealthcareDbContext db, Auditor audit,
        CancellationToken cancellationToken)
    {
        if (request.Validate() is { } invalid)
        {
            return invalid;
        }

        var name = request.Name.Trim();
        if (await db.AppointmentTypes.AnyAsync(t => t.ClinicId == clinicId && t.Name == name, cancellationToken))
        {
            return Problems.Field("name", "The clinic has an appointment type with this name.");
        }

        var type = new AppointmentType { ClinicId = clinicId, Name = name, Mode = request.Mode };
        request.ApplyTo(type);
        db.AppointmentTypes.Add(type);
        await db.SaveChangesAsync(cancellationToken);
        audit.ResourceId = type.Id.ToString();
        http.SetETag(type.Version);
        return TypedResults.Created($"/api/v1/clinics/{clinicId}/appointment-types/{type.Id}", type.ToDto());
    }

    private static Task<Results<Ok<AppointmentTypeDto>, NotFound, ValidationProblem, ProblemHttpResult>> Update(
        Guid clinicId, Guid id, AppointmentTypeRequest request, HttpContext http, HealthcareDbContext db, AppointmentTypeDirectory directory,
        CancellationToken cancellationToken)
    {
        return ConcurrencyCheckedUpdates.UpdateAsync(
            http, db, "appointment type",
            validate: request.Validate,
            load: () => db.AppointmentTypes.SingleOrDefaultAsync(t => t.Id == id && t.ClinicId == clinicId, cancellationToken),
            version: t => t.Version,
            apply: type =>
            {
                type.Name = request.Name.Trim();
                type.Mode = request.Mode;
                request.ApplyTo(type);
                return ConcurrencyCheckedUpdates.Applied;
            },
            refused: e => e.IsUniqueViolation() ? Problems.Field("name", "The clinic has an appointment type with this name.") : null,
            answer: async type =>
            {
                await directory.ForgetAsync(http, type.Id, cancellationToken);
                return type.ToDto();
            });
    }
}

public sealed record AppointmentTypeRequest(
    [property: Required, MinLength(1), MaxLength(200)] string Name,
    [property: Required, OneOf(typeof(VisitModes))] string Mode,
    [property: Range(5, 480)] int DurationMinutes,
    [property: Range(0, 120)] int BufferMinutes,
    bool? IsActive)
{
    public ValidationProblem? Validate() =>
        VisitModes.All.Contains(Mode) ? null : Problems.Field("mode", $"Use one of: {string.Join(", ", VisitModes.All)}.");

    public void ApplyTo(AppointmentType type)
    {
        type.DurationMinutes = DurationMinutes;
        type.BufferMinutes = BufferMinutes;
        type.IsActive = IsActive ?? true;
    }
}

public sealed record AppointmentTypeDto(Guid Id, Guid ClinicId, string Name, [property: OneOf(typeof(VisitModes))] string Mode, int DurationMinutes, int BufferMinutes, bool IsActive);

public static class AppointmentTypeMapping
{
    public static AppointmentTypeDto ToDto(this AppointmentType t) =>
        new(t.Id, t.ClinicId, t.Name, t.Mode, t.DurationMinutes, t.BufferMinutes, t.IsActive);
}
