using Healthcare.Api.Features.Clinics;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Features.Practitioners;
using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Scheduling;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Healthcare.Api.Features.Scheduling;

/// <summary>
/// Free slots for a practitioner, or for every practitioner of a specialty at a location, over clinic-local
/// dates. Patients of the clinic may read them to book themselves.
/// </summary>
public static class AvailabilityApi
{
    public const int MaxDays = 31;
    private static readonly HashSet<string> PractitionerParameters = ["from", "to", "appointmentTypeId", "locationId"];
    private static readonly HashSet<string> SpecialtyParameters = ["from", "to", "appointmentTypeId", "locationId", "specialty"];

    public static IEndpointRouteBuilder MapAvailabilityApi(this IEndpointRouteBuilder endpoints)
    {
        var clinic = endpoints.MapGroup("/api/v1/clinics/{clinicId:guid}").WithTags("Scheduling")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        clinic.MapGet("/practitioners/{id:guid}/availability", ForPractitioner)
            .RequirePermission(Permissions.ClinicRead)
            .WithName("GetPractitionerAvailability")
            .WithSummary($"Free slots for an appointment type between two clinic-local dates (at most {MaxDays} days), with the clinic's UTC offset.")
            .ProducesValidationProblem();
        clinic.MapGet("/availability", ForSpecialty)
            .RequirePermission(Permissions.ClinicRead)
            .WithName("SearchAvailability")
            .WithSummary("Free slots of every active practitioner with a specialty (optionally at one location).")
            .ProducesValidationProblem();
        return endpoints;
    }

    private static async Task<Results<Ok<PractitionerSlotsDto>, NotFound, ValidationProblem>> ForPractitioner(
        Guid clinicId, Guid id, DateOnly from, DateOnly to, Guid appointmentTypeId, Guid? locationId, HttpContext http,
        HealthcareDbContext db, ClinicDirectory clinics, PractitionerDirectory practitioners, AppointmentTypeDirectory types, AvailabilityCache cache,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        if (Check(http, PractitionerParameters, from, to) is { } invalid)
        {
            return invalid;
        }

        // Both from the directories' caches: a cached search for free slots asks nothing of the database.
        if (await practitioners.GetAsync(clinicId, id, cancellationToken) is not { Profile.IsActive: true })
        {
            return TypedResults.NotFound();
        }

        if (await types.GetActiveAsync(clinicId, appointmentTypeId, cancellationToken) is not { } type)
        {
            return Problems.Field("appointmentTypeId", "No active appointment type with this id in the clinic.");
        }

        var zone = await AppointmentsApi.ZoneAsync(clinics, clinicId, cancellationToken);
        var slots = await SlotsAsync(db, cache, clock, zone, id, type, locationId, from, to, cancellationToken);
        return TypedResults.Ok(new PractitionerSlotsDto(id, slots));
    }

    private static async Task<Results<Ok<List<PractitionerSlotsDto>>, ValidationProblem>> ForSpecialty(
        Guid clinicId, DateOnly from, DateOnly to, Guid appointmentTypeId, string specialty, Guid? locationId, HttpContext http,
        HealthcareDbContext db, ClinicDirectory clinics, AppointmentTypeDirectory types, AvailabilityCache cache, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        if (Check(http, SpecialtyParameters, from, to) is { } invalid)
        {
            return invalid;
        }

        if (await types.GetActiveAsync(clinicId, appointmentTypeId, cancellationToken) is not { } type)
        {
            return Problems.Field("appointmentTypeId", "No active appointment type with this id in the clinic.");
        }

        var code = specialty.Trim().ToLowerInvariant();
        var practitioners = await db.Practitioners.AsNoTracking()
            .Where(p => p.ClinicId == clinicId && p.IsActive && p.Specialties.Contains(code) && (locationId == null || p.LocationIds.Contains(locationId.Value)))
            .OrderBy(p => p.DisplayName)
            .Select(p => p.Id)
            .Take(50)
            .ToListAsync(cancellationToken);
        var zone = await AppointmentsApi.ZoneAsync(clinics, clinicId, cancellationToken);
        var result = new List<PractitionerSlotsDto>();
        foreach (var practitioner in practitioners)
        {
            var slots = await SlotsAsync(db, cache, clock, zone, practitioner, type, locationId, from, to, cancellationToken);
            if (slots.Count > 0)
            {
                result.Add(new PractitionerSlotsDto(practitioner, slots));
            }
        }

        return TypedResults.Ok(result);
    }

    private static ValidationProblem? Check(HttpContext http, IReadOnlySet<string> known, DateOnly from, DateOnly to)
    {
        if (Paging.Check(http, known, null) is { } invalid)
        {
            return invalid;
        }

        if (to < from)
        {
            return Problems.Field("to", "The end date must not be before the start date.");
        }

        return to.DayNumber - from.DayNumber >= MaxDays ? Problems.Field("to", $"Ask for at most {MaxDays} days at a time.") : null;
    }

    /// <summary>
    /// Slots from the cache (computed without the "now" cut-off, so they stay valid), minus those already begun. The
    /// FHIR Slot search reads the same slots.
    /// </summary>
    internal static async Task<List<SlotDto>> SlotsAsync(
        HealthcareDbContext db, AvailabilityCache cache, TimeProvider clock, DateTimeZone zone, Guid practitionerId, AppointmentType type,
        Guid? locationId, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var key = $"{practitionerId:N}:{type.Id:N}:{type.DurationMinutes}:{type.BufferMinutes}:{locationId:N}:{from:O}:{to:O}";
        var slots = await cache.GetOrComputeAsync(key, practitionerId, ct => ComputeAsync(db, zone, practitionerId, type, locationId, from, to, ct), cancellationToken);
        var now = clock.GetUtcNow();
        return slots.Where(s => s.StartsAt > now).ToList();
    }

    private static async Task<List<SlotDto>> ComputeAsync(
        HealthcareDbContext db, DateTimeZone zone, Guid practitionerId, AppointmentType type, Guid? locationId, DateOnly from, DateOnly to,
        CancellationToken cancellationToken)
    {
        var first = LocalDate.FromDateOnly(from);
        var last = LocalDate.FromDateOnly(to);
        var rangeStart = ClinicTime.StartOfDay(first, zone).ToDateTimeOffset();
        var rangeEnd = ClinicTime.StartOfDay(last.PlusDays(1), zone).ToDateTimeOffset();
        var hours = await db.WorkingHours.AsNoTracking()
            .Where(w => w.PractitionerId == practitionerId && (locationId == null || w.LocationId == locationId))
            .ToListAsync(cancellationToken);
        var booked = await db.Appointments.AsNoTracking()
            .Where(a => a.PractitionerId == practitionerId && AppointmentStatus.Active.Contains(a.Status) &&
                a.StartsAt < rangeEnd.AddHours(1) && a.BlockedUntil > rangeStart.AddHours(-1))
            .Select(a => new { a.StartsAt, a.BlockedUntil })
            .ToListAsync(cancellationToken);
        var away = await db.TimeOff.AsNoTracking()
            .Where(t => t.PractitionerId == practitionerId && t.StartsAt < rangeEnd && t.EndsAt > rangeStart)
            .Select(t => new { t.StartsAt, t.EndsAt })
            .ToListAsync(cancellationToken);
        var busy = booked.Select(b => new Busy(Instant.FromDateTimeOffset(b.StartsAt), Instant.FromDateTimeOffset(b.BlockedUntil)))
            .Concat(away.Select(t => new Busy(Instant.FromDateTimeOffset(t.StartsAt), Instant.FromDateTimeOffset(t.EndsAt))))
            .ToList();
        var slots = Availability.FreeSlots(
            zone, first, last, hours, busy, Duration.FromMinutes(type.DurationMinutes), Duration.FromMinutes(type.BufferMinutes), Instant.MinValue);
        return slots.Select(s => new SlotDto(ClinicTime.Local(s.Start, zone), ClinicTime.Local(s.End, zone), s.LocationId)).ToList();
    }
}
