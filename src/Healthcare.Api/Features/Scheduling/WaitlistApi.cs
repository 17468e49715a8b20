using Healthcare.Api.Features.Clinics;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Scheduling;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Scheduling;

/// <summary>Patients waiting for an earlier slot; a cancellation offers the freed time to the first in line.</summary>
public static class WaitlistApi
{
    private const string Resource = "WaitlistEntry";
    private static readonly HashSet<string> ListParameters = ["practitionerId", "patientId", "status"];

    public static IEndpointRouteBuilder MapWaitlistApi(this IEndpointRouteBuilder endpoints)
    {
        var waitlist = endpoints.MapGroup("/api/v1/clinics/{clinicId:guid}/waitlist").WithTags("Scheduling")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        waitlist.MapPost("", Join)
            .RequirePermission(Permissions.AppointmentsManage)
            .Audited(AuditActions.Create, Resource)
            .Idempotent()
            .WithName("JoinWaitlist")
            .WithSummary("Put a patient on the waitlist for a practitioner between two clinic-local dates.")
            .ProducesValidationProblem();
        waitlist.MapGet("", List)
            .RequirePermission(Permissions.AppointmentsRead)
            .Audited(AuditActions.Read, "WaitlistList")
            .WithName("ListWaitlist")
            .WithSummary("Waitlist entries in order of arrival; keyset paginated.")
            .ProducesValidationProblem();
        waitlist.MapDelete("/{id:guid}", Leave)
            .RequirePermission(Permissions.AppointmentsManage)
            .Audited(AuditActions.Delete, Resource)
            .WithName("LeaveWaitlist")
            .WithSummary("Take a patient off the waitlist.");
        return endpoints;
    }

    private static async Task<Results<Created<WaitlistEntryDto>, ValidationProblem>> Join(
        Guid clinicId, WaitlistRequest request, HealthcareDbContext db, ClinicDirectory clinics, TimeProvider clock, Auditor audit,
        CancellationToken cancellationToken)
    {
        audit.PatientId = request.PatientId;
        if (!await db.Patients.AnyAsync(p => p.Id == request.PatientId && p.ClinicId == clinicId, cancellationToken))
        {
            return Problems.Field("patientId", "No patient with this id in the clinic.");
        }

        var (entry, invalid) = await AddAsync(db, clinics, clock, clinicId, request.PatientId, request.PractitionerId, request.AppointmentTypeId, request.FromDate, request.ToDate, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        audit.ResourceId = entry!.Id.ToString();
        return TypedResults.Created($"/api/v1/clinics/{clinicId}/waitlist/{entry.Id}", entry.ToDto());
    }

    /// <summary>Validates and adds an entry; shared with the patients' own endpoint.</summary>
    internal static async Task<(WaitlistEntry? Entry, ValidationProblem? Invalid)> AddAsync(
        HealthcareDbContext db, ClinicDirectory clinics, TimeProvider clock, Guid clinicId, Guid patientId, Guid practitionerId, Guid appointmentTypeId,
        DateOnly fromDate, DateOnly toDate, CancellationToken cancellationToken)
    {
        var zone = await AppointmentsApi.ZoneAsync(clinics, clinicId, cancellationToken);
        var today = ClinicTime.Today(clock, zone).ToDateOnly();
        if (fromDate < today || toDate < fromDate || toDate.DayNumber - fromDate.DayNumber > 180)
        {
            return (null, Problems.Field("toDate", "Give dates from today on, the end not before the start, at most 180 days apart."));
        }

        if (!await db.Practitioners.AnyAsync(p => p.Id == practitionerId && p.ClinicId == clinicId && p.IsActive, cancellationToken))
        {
            return (null, Problems.Field("practitionerId", "No active practitioner with this id in the clinic."));
        }

        if (!await db.AppointmentTypes.AnyAsync(t => t.Id == appointmentTypeId && t.ClinicId == clinicId && t.IsActive, cancellationToken))
        {
            return (null, Problems.Field("appointmentTypeId", "No active appointment type with this id in the clinic."));
        }

        var now = clock.GetUtcNow();
        var entry = new WaitlistEntry
        {
            ClinicId = clinicId,
            PatientId = patientId,
            PractitionerId = practitionerId,
            AppointmentTypeId = appointmentTypeId,
            FromDate = fromDate,
            ToDate = toDate,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.WaitlistEntries.Add(entry);
        await db.SaveChangesAsync(cancellationToken);
        return (entry, null);
    }

    private static async Task<Results<Ok<Page<WaitlistEntryDto>>, ValidationProblem>> List(
        Guid clinicId, HttpContext http, HealthcareDbContext db, Guid? practitionerId, Guid? patientId, string? status, int? limit,
        string? cursor, Auditor audit, CancellationToken cancellationToken)
    {
        if (Paging.Check(http, ListParameters, limit) is { } invalid)
        {
            return invalid;
        }

        if (status is not null && !WaitlistStatus.All.Contains(status))
        {
            return Problems.Field("status", $"Use one of: {string.Join(", ", WaitlistStatus.All)}.");
        }

        audit.PatientId = patientId;
        var query = db.WaitlistEntries.AsNoTracking().Where(w => w.ClinicId == clinicId);
        query = practitionerId is { } practitioner ? query.Where(w => w.PractitionerId == practitioner) : query;
        query = patientId is { } patient ? query.Where(w => w.PatientId == patient) : query;
        query = status is not null ? query.Where(w => w.Status == status) : query;
        if (cursor is not null)
        {
            if (!Paging.TryReadCursor(cursor, out var after))
            {
                return Paging.BadCursor();
            }

            query = query.Where(w => w.CreatedAt > after.At || (w.CreatedAt == after.At && w.Id.CompareTo(after.Id) > 0));
        }

        var size = limit ?? Paging.DefaultLimit;
        var rows = await query.OrderBy(w => w.CreatedAt).ThenBy(w => w.Id).Take(size + 1).ToListAsync(cancellationToken);
        var items = rows.Take(size).Select(w => w.ToDto()).ToList();
        var next = rows.Count > size ? Paging.NextLink(http, Paging.Cursor(rows[size - 1].CreatedAt, rows[size - 1].Id)) : null;
        return TypedResults.Ok(new Page<WaitlistEntryDto>(items, next));
    }

    private static async Task<Results<NoContent, NotFound>> Leave(
        Guid clinicId, Guid id, HealthcareDbContext db, TimeProvider clock, Auditor audit, CancellationToken cancellationToken)
    {
        var entry = await db.WaitlistEntries.SingleOrDefaultAsync(w => w.Id == id && w.ClinicId == clinicId, cancellationToken);
        if (entry is null)
        {
            return TypedResults.NotFound();
        }

        audit.PatientId = entry.PatientId;
        entry.Status = WaitlistStatus.Cancelled;
        entry.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
