using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Features.Scheduling;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Practitioners;
using Healthcare.Core.Scheduling;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Practitioners;

/// <summary>
/// The clinic's practitioners: profiles, specialties and locations (readable by everyone in the clinic,
/// patients included, so they can choose whom to book), weekly working hours and time off.
/// </summary>
public static class PractitionersApi
{
    private const string Resource = "Practitioner";
    private static readonly HashSet<string> ListParameters = ["specialty", "locationId", "includeInactive"];
    private static readonly HashSet<string> TimeOffParameters = ["from", "to"];

    public static IServiceCollection AddPractitioners(this IServiceCollection services) =>
        services.AddGeneratedJson(PractitionersJsonContext.Default);

    public static IEndpointRouteBuilder MapPractitionersApi(this IEndpointRouteBuilder endpoints)
    {
        var practitioners = endpoints.MapGroup("/api/v1/clinics/{clinicId:guid}/practitioners").WithTags("Practitioners")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        practitioners.MapGet("", List)
            .RequirePermission(Permissions.ClinicRead)
            .WithName("ListPractitioners")
            .WithSummary("Practitioners, optionally of one specialty or location; keyset paginated.")
            .ProducesValidationProblem();
        practitioners.MapGet("/{id:guid}", Get)
            .ReturnsETag()
            .RequirePermission(Permissions.ClinicRead)
            .WithName("GetPractitioner")
            .WithSummary("A practitioner's profile; the ETag is the version to send as If-Match when updating.");
        practitioners.MapPost("", Create)
            .ReturnsETag()
            .RequirePermission(Permissions.ClinicManage)
            .Audited(AuditActions.Create, Resource)
            .Idempotent()
            .WithName("CreatePractitioner")
            .WithSummary("Add a practitioner, optionally linked to a doctor's or nurse's staff account.")
            .ProducesValidationProblem();
        practitioners.MapPut("/{id:guid}", Update)
            .RequirePermission(Permissions.ClinicManage)
            .Audited(AuditActions.Update, Resource)
            .WithName("UpdatePractitioner")
            .WithSummary("Replace a practitioner's profile. Needs If-Match.")
            .ProducesValidationProblem()
            .RequiresIfMatch();
        practitioners.MapGet("/{id:guid}/working-hours", GetHours)
            .RequirePermission(Permissions.ClinicRead)
            .WithName("GetWorkingHours")
            .WithSummary("The practitioner's weekly working hours per location, in the clinic's local time.");
        practitioners.MapPut("/{id:guid}/working-hours", ReplaceHours)
            .RequirePermission(Permissions.ClinicManage)
            .Audited(AuditActions.Update, "WorkingHours")
            .WithName("ReplaceWorkingHours")
            .WithSummary("Replace the practitioner's weekly working hours.")
            .ProducesValidationProblem();
        practitioners.MapGet("/{id:guid}/time-off", ListTimeOff)
            .RequirePermission(Permissions.AppointmentsRead)
            .WithName("ListTimeOff")
            .WithSummary("The practitioner's absences overlapping a period (default: from now on).")
            .ProducesValidationProblem();
        practitioners.MapPost("/{id:guid}/time-off", AddTimeOff)
            .RequirePermission(Permissions.ClinicManage)
            .Audited(AuditActions.Create, "TimeOff")
            .Idempotent()
            .WithName("AddTimeOff")
            .WithSummary("Record an absence; the practitioner is not bookable during it. Existing appointments are reported, not cancelled.")
            .ProducesValidationProblem();
        practitioners.MapDelete("/{id:guid}/time-off/{timeOffId:guid}", RemoveTimeOff)
            .RequirePermission(Permissions.ClinicManage)
            .Audited(AuditActions.Delete, "TimeOff")
            .WithName("RemoveTimeOff")
            .WithSummary("Remove an absence.");
        return endpoints;
    }

    private static async Task<Results<Ok<Page<PractitionerDto>>, ValidationProblem>> List(
        Guid clinicId, HttpContext http, ReadDb read, string? specialty, Guid? locationId, bool? includeInactive,
        int? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (Paging.Check(http, ListParameters, limit) is { } invalid)
        {
            return invalid;
        }

        var db = await read.ContextAsync();
        var query = db.Practitioners.AsNoTracking().Where(p => p.ClinicId == clinicId);
        if (includeInactive != true)
        {
            query = query.Where(p => p.IsActive);
        }

        if (!string.IsNullOrWhiteSpace(specialty))
        {
            var code = specialty.Trim().ToLowerInvariant();
            query = query.Where(p => p.Specialties.Contains(code));
        }

        if (locationId is { } location)
        {
            query = query.Where(p => p.LocationIds.Contains(location));
        }

        if (cursor is not null)
        {
            if (!Paging.TryReadCursor(cursor, out var after))
            {
                return Paging.BadCursor();
            }

            query = query.Where(p => p.CreatedAt > after.At || (p.CreatedAt == after.At && p.Id.CompareTo(after.Id) > 0));
        }

        var size = limit ?? Paging.DefaultLimit;
        var rows = await query.OrderBy(p => p.CreatedAt).ThenBy(p => p.Id).Take(size + 1).ToListAsync(cancellationToken);
        var items = rows.Take(size).Select(p => p.ToDto()).ToList();
        var next = rows.Count > size ? Paging.NextLink(http, Paging.Cursor(rows[size - 1].CreatedAt, rows[size - 1].Id)) : null;
        return TypedResults.Ok(new Page<PractitionerDto>(items, next));
    }

    private static async Task<Results<Ok<PractitionerDto>, NotFound>> Get(
        Guid clinicId, Guid id, HttpContext http, PractitionerDirectory directory, CancellationToken cancellationToken)
    {
        if (await directory.GetAsync(clinicId, id, cancellationToken) is not { } practitioner)
        {
            return TypedResults.NotFound();
        }

        http.SetETag(practitioner.Version);
        return TypedResults.Ok(practitioner.Profile);
    }

    private static async Task<Results<Created<PractitionerDto>, ValidationProblem>> Create(
        Guid clinicId, PractitionerRequest request, HttpContext http, HealthcareDbContext db, Auditor audit,
        CancellationToken cancellationToken)
    {
        if (await request.ValidateAsync(db, clinicId, null, cancellationToken) is { } invalid)
        {
            return invalid;
        }

        var practitioner = new Practitioner
        {
            ClinicId = clinicId,
            DisplayName = request.DisplayName.Trim(),
            LicenceNumber = request.LicenceNumber.Trim(),
        };
        request.ApplyTo(practitioner);
        db.Practitioners.Add(practitioner);
        await db.SaveChangesAsync(cancellationToken);
        audit.ResourceId = practitioner.Id.ToString();
        http.SetETag(practitioner.Version);
        return TypedResults.Created($"/api/v1/clinics/{clinicId}/practitioners/{practitioner.Id}", practitioner.ToDto());
    }

    private static Task<Results<Ok<PractitionerDto>, NotFound, ValidationProblem, ProblemHttpResult>> Update(
        Guid clinicId, Guid id, PractitionerRequest request, HttpContext http, HealthcareDbContext db, AvailabilityCache cache,
        PractitionerDirectory directory, CancellationToken cancellationToken)
    {
        return ConcurrencyCheckedUpdates.UpdateAsync(
            http, db, "practitioner",
            load: () => db.Practitioners.SingleOrDefaultAsync(p => p.Id == id && p.ClinicId == clinicId, cancellationToken),
            version: p => p.Version,
            apply: async practitioner =>
            {
                if (await request.ValidateAsync(db, clinicId, id, cancellationToken) is { } invalid)
                {
                    return invalid;
                }

                practitioner.DisplayName = request.DisplayName.Trim();
                practitioner.LicenceNumber = request.LicenceNumber.Trim();
                request.ApplyTo(practitioner);
                return null;
            },
            answer: async practitioner =>
            {
                await cache.ForgetAsync(practitioner.Id, cancellationToken);
                await directory.ForgetAsync(http, practitioner.Id, cancellationToken);
                return practitioner.ToDto();
            });
    }

    private static async Task<Results<Ok<List<WorkingHoursDto>>, NotFound>> GetHours(
        Guid clinicId, Guid id, HealthcareDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Practitioners.AnyAsync(p => p.Id == id && p.ClinicId == clinicId, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(await db.WorkingHours.AsNoTracking()
            .Where(w => w.PractitionerId == id)
            .OrderBy(w => w.Day).ThenBy(w => w.Starts)
            .Select(w => new WorkingHoursDto(w.Day, w.Starts, w.Ends, w.LocationId))
            .ToListAsync(cancellationToken));
    }

    private static async Task<Results<Ok<List<WorkingHoursDto>>, NotFound, ValidationProblem>> ReplaceHours(
        Guid clinicId, Guid id, List<WorkingHoursDto> request, HealthcareDbContext db, AvailabilityCache cache,
        CancellationToken cancellationToken)
    {
        var practitioner = await db.Practitioners.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.ClinicId == clinicId, cancellationToken);
        if (practitioner is null)
        {
            return TypedResults.NotFound();
        }

        if (WorkingHoursDto.Validate(request, practitioner.LocationIds) is { } invalid)
        {
            return invalid;
        }

        await db.WorkingHours.Where(w => w.PractitionerId == id).ExecuteDeleteAsync(cancellationToken);
        db.WorkingHours.AddRange(request.Select(h => new WorkingHours
        {
            ClinicId = clinicId,
            PractitionerId = id,
            LocationId = h.LocationId,
            Day = h.Day,
            Starts = h.Starts,
            Ends = h.Ends,
        }));
        await db.SaveChangesAsync(cancellationToken);
        await cache.ForgetAsync(id, cancellationToken);
        return TypedResults.Ok(request.OrderBy(h => h.Day).ThenBy(h => h.Starts).ToList());
    }

    private static async Task<Results<Ok<List<TimeOffDto>>, NotFound, ValidationProblem>> ListTimeOff(
        Guid clinicId, Guid id, HttpContext http, HealthcareDbContext db, TimeProvider clock, DateTimeOffset? from, DateTimeOffset? to,
        CancellationToken cancellationToken)
    {
        if (Paging.Check(http, TimeOffParameters, null) is { } invalid)
        {
            return invalid;
        }

        if (!await db.Practitioners.AnyAsync(p => p.Id == id && p.ClinicId == clinicId, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        var start = from ?? clock.GetUtcNow();
        var end = to ?? DateTimeOffset.MaxValue;
        return TypedResults.Ok(await db.TimeOff.AsNoTracking()
            .Where(t => t.PractitionerId == id && t.EndsAt > start && t.StartsAt < end)
            .OrderBy(t => t.StartsAt)
            .Take(Paging.MaxLimit)
            .Select(t => new TimeOffDto(t.Id, t.StartsAt, t.EndsAt, t.Reason))
            .ToListAsync(cancellationToken));
    }

    private static async Task<Results<Created<TimeOffCreatedDto>, NotFound, ValidationProblem>> AddTimeOff(
        Guid clinicId, Guid id, TimeOffRequest request, HealthcareDbContext db, AvailabilityCache cache, Auditor audit,
        CancellationToken cancellationToken)
    {
        if (request.EndsAt <= request.StartsAt || request.EndsAt - request.StartsAt > TimeSpan.FromDays(366))
        {
            return Problems.Field("endsAt", "The end must be after the start, and the absence at most a year long.");
        }

        if (!await db.Practitioners.AnyAsync(p => p.Id == id && p.ClinicId == clinicId, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        var timeOff = new TimeOff
        {
            ClinicId = clinicId,
            PractitionerId = id,
            StartsAt = request.StartsAt.ToUniversalTime(),
            EndsAt = request.EndsAt.ToUniversalTime(),
            Reason = request.Reason?.Trim(),
        };
        db.TimeOff.Add(timeOff);
        await db.SaveChangesAsync(cancellationToken);
        await cache.ForgetAsync(id, cancellationToken);
        audit.ResourceId = timeOff.Id.ToString();
        // Appointments already booked in the absence stay; staff see them here and reschedule or cancel them.
        var affected = await db.Appointments.AsNoTracking()
            .Where(a => a.PractitionerId == id && AppointmentStatus.Active.Contains(a.Status) &&
                a.StartsAt < timeOff.EndsAt && a.EndsAt > timeOff.StartsAt)
            .Select(a => a.Id)
            .ToListAsync(cancellationToken);
        return TypedResults.Created(
            $"/api/v1/clinics/{clinicId}/practitioners/{id}/time-off/{timeOff.Id}",
            new TimeOffCreatedDto(new TimeOffDto(timeOff.Id, timeOff.StartsAt, timeOff.EndsAt, timeOff.Reason), affected));
    }

    private static async Task<Results<NoContent, NotFound>> RemoveTimeOff(
        Guid clinicId, Guid id, Guid timeOffId, HealthcareDbContext db, AvailabilityCache cache, Auditor audit,
        CancellationToken cancellationToken)
    {
        audit.ResourceId = timeOffId.ToString();
        var removed = await db.TimeOff.Where(t => t.Id == timeOffId && t.PractitionerId == id && t.ClinicId == clinicId)
            .ExecuteDeleteAsync(cancellationToken);
        if (removed == 0)
        {
            return TypedResults.NotFound();
        }

        await cache.ForgetAsync(id, cancellationToken);
        return TypedResults.NoContent();
    }
}
