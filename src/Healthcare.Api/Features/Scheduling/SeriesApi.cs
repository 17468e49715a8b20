using Healthcare.Api.Features.Clinics;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Observability;
using Healthcare.Core.Scheduling;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Healthcare.Api.Features.Scheduling;

/// <summary>
/// Recurring appointments: every N weeks for K occurrences at the same clinic-local time. Each occurrence is
/// booked on its own; the answer reports, per occurrence, the appointment or the conflict that prevented it.
/// </summary>
public static class SeriesApi
{
    private const string Resource = "AppointmentSeries";

    public static IEndpointRouteBuilder MapSeriesApi(this IEndpointRouteBuilder endpoints)
    {
        var series = endpoints.MapGroup("/api/v1/clinics/{clinicId:guid}/appointment-series").WithTags("Scheduling")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        series.MapPost("", Create)
            .RequirePermission(Permissions.AppointmentsManage)
            .Audited(AuditActions.Create, Resource)
            .Idempotent()
            .WithName("BookSeries")
            .WithSummary("Book a recurring series; 201 with per-occurrence results when at least one occurrence was booked, else 409.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        series.MapGet("/{id:guid}", Get)
            .RequirePermission(Permissions.AppointmentsRead)
            .Audited(AuditActions.Read, Resource)
            .WithName("GetSeries")
            .WithSummary("A series and the current state of each of its appointments.");
        series.MapPost("/{id:guid}/cancel", CancelRest)
            .RequirePermission(Permissions.AppointmentsManage)
            .Audited(AuditActions.Update, Resource)
            .WithName("CancelSeries")
            .WithSummary("Cancel the rest of a series: every occurrence starting at or after 'from' (default: now). Cancel one occurrence through its appointment.")
            .ProducesValidationProblem();
        return endpoints;
    }

    private static async Task<Results<Created<SeriesDto>, NotFound, ValidationProblem, ProblemHttpResult>> Create(
        Guid clinicId, SeriesRequest request, HttpContext http, CurrentUser user, HealthcareDbContext db, ClinicDirectory clinics, Booking booking,
        TimeProvider clock, Auditor audit, CancellationToken cancellationToken)
    {
        audit.PatientId = request.PatientId;
        if (request.IntervalWeeks is < 1 or > 12)
        {
            return Problems.Field("intervalWeeks", "Use 1 to 12 weeks.");
        }

        if (request.Occurrences is < 2 or > AppointmentSeries.MaxOccurrences)
        {
            return Problems.Field("occurrences", $"Use 2 to {AppointmentSeries.MaxOccurrences} occurrences.");
        }

        if (!await db.Patients.AnyAsync(p => p.Id == request.PatientId && p.ClinicId == clinicId, cancellationToken))
        {
            return Problems.Field("patientId", "No patient with this id in the clinic.");
        }

        var series = new AppointmentSeries
        {
            ClinicId = clinicId,
            PatientId = request.PatientId,
            PractitionerId = request.PractitionerId,
            AppointmentTypeId = request.AppointmentTypeId,
            IntervalWeeks = request.IntervalWeeks,
            Occurrences = request.Occurrences,
            FirstStartsAt = request.FirstStartsAt.ToUniversalTime(),
            CreatedByUserId = user.Id,
            CreatedAt = clock.GetUtcNow(),
        };
        db.AppointmentSeries.Add(series);
        await db.SaveChangesAsync(cancellationToken);

        // Same wall-clock time each week, whatever the UTC offset does in between (DST).
        var zone = await AppointmentsApi.ZoneAsync(clinics, clinicId, cancellationToken);
        var first = Instant.FromDateTimeOffset(request.FirstStartsAt).InZone(zone).LocalDateTime;
        var results = new List<OccurrenceDto>();
        for (var n = 0; n < request.Occurrences; n++)
        {
            var startsAt = zone.AtLeniently(first.PlusWeeks(n * request.IntervalWeeks)).ToDateTimeOffset();
            var outcome = await booking.BookAsync(
                clinicId, request.PatientId, request.PractitionerId, request.AppointmentTypeId, request.LocationId, startsAt, user.Id,
                cancellationToken, series.Id);
            if (n == 0 && outcome.Field is not null)
            {
                // The request itself is wrong (unknown practitioner, past start): no occurrence can succeed.
                return outcome.FieldProblem();
            }

            results.Add(outcome.Appointment is { } booked
                ? new OccurrenceDto(n + 1, ClinicTime.Local(booked.StartsAt, zone), "booked", booked.Id, null, null)
                : new OccurrenceDto(n + 1, startsAt, "conflict", null, outcome.Conflict ?? outcome.Field, outcome.Detail));
        }

        if (results.All(r => r.AppointmentId is null))
        {
            return TypedResults.Problem(
                title: "No occurrence of the series could be booked.",
                detail: "Every occurrence clashes with another booking, an absence or the working hours.",
                statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["occurrences"] = results });
        }

        audit.ResourceId = series.Id.ToString();
        return TypedResults.Created($"/api/v1/clinics/{clinicId}/appointment-series/{series.Id}", ToDto(series, results));
    }

    private static async Task<Results<Ok<SeriesDto>, NotFound>> Get(
        Guid clinicId, Guid id, HealthcareDbContext db, ClinicDirectory clinics, Auditor audit, CancellationToken cancellationToken)
    {
        var series = await db.AppointmentSeries.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id && s.ClinicId == clinicId, cancellationToken);
        if (series is null)
        {
            return TypedResults.NotFound();
        }

        audit.PatientId = series.PatientId;
        var zone = await AppointmentsApi.ZoneAsync(clinics, clinicId, cancellationToken);
        var appointments = await db.Appointments.AsNoTracking().Where(a => a.SeriesId == id).OrderBy(a => a.StartsAt).ToListAsync(cancellationToken);
        var results = appointments.Select((a, i) => new OccurrenceDto(i + 1, ClinicTime.Local(a.StartsAt, zone), a.Status, a.Id, null, null)).ToList();
        return TypedResults.Ok(ToDto(series, results));
    }

    private static async Task<Results<Ok<SeriesCancelledDto>, NotFound>> CancelRest(
        Guid clinicId, Guid id, SeriesCancelRequest request, CurrentUser user, HealthcareDbContext db, TimeProvider clock,
        AvailabilityCache cache, HealthcareMetrics metrics, Auditor audit, CancellationToken cancellationToken)
    {
        var series = await db.AppointmentSeries.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id && s.ClinicId == clinicId, cancellationToken);
        if (series is null)
        {
            return TypedResults.NotFound();
        }

        audit.PatientId = series.PatientId;
        var now = clock.GetUtcNow();
        var from = request.From ?? now;
        var rest = await db.Appointments
            .Where(a => a.SeriesId == id && a.StartsAt >= from && a.Status == AppointmentStatus.Booked)
            .OrderBy(a => a.StartsAt)
            .ToListAsync(cancellationToken);
        foreach (var appointment in rest)
        {
            await AppointmentsApi.CancelAsync(db, appointment, request.Reason, user.Id, now, cache, metrics, cancellationToken);
        }

        return TypedResults.Ok(new SeriesCancelledDto(rest.Select(a => a.Id).ToList()));
    }

    private static SeriesDto ToDto(AppointmentSeries s, List<OccurrenceDto> results) =>
        new(s.Id, s.PatientId, s.PractitionerId, s.AppointmentTypeId, s.IntervalWeeks, s.Occurrences, results);
}
