using Healthcare.Api.Features.Clinics;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Observability;
using Healthcare.Core.Scheduling;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Scheduling;

/// <summary>
/// Patients' self-service: their appointments in every clinic where their account is linked to a patient
/// record, booking free slots, cancelling outside the clinic's cancellation window, joining waitlists and
/// answering waitlist offers. Everything is scoped to the caller's own patient records.
/// </summary>
public static class MyAppointmentsApi
{
    private const string Resource = "Appointment";
    private static readonly HashSet<string> ListParameters = ["from"];

    public static IEndpointRouteBuilder MapMyAppointmentsApi(this IEndpointRouteBuilder endpoints)
    {
        var me = endpoints.MapGroup("/api/v1/me").WithTags("My appointments")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        me.MapGet("/appointments", List)
            .Audited(AuditActions.Read, "AppointmentList")
            .WithName("ListMyAppointments")
            .WithSummary("My appointments from a date on (default: the last 30 days), soonest first; keyset paginated.")
            .ProducesValidationProblem();
        me.MapPost("/appointments", Book)
            .ReturnsETag()
            .Audited(AuditActions.Create, Resource)
            .Idempotent()
            .WithName("BookMyAppointment")
            .WithSummary("Book a free slot at a clinic where I am a patient.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        me.MapPost("/appointments/{id:guid}/cancel", Cancel)
            .Audited(AuditActions.Update, Resource)
            .WithName("CancelMyAppointment")
            .WithSummary("Cancel my appointment; inside the clinic's cancellation window only staff may cancel (403).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict);
        me.MapPost("/appointments/{id:guid}/accept", Accept)
            .Audited(AuditActions.Update, Resource)
            .WithName("AcceptWaitlistOffer")
            .WithSummary("Take a slot held for me from the waitlist, before the hold expires.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        me.MapPost("/appointments/{id:guid}/decline", Decline)
            .Audited(AuditActions.Update, Resource)
            .WithName("DeclineWaitlistOffer")
            .WithSummary("Decline a slot held for me; it goes to the next patient on the waitlist.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        me.MapGet("/waitlist", Waitlist)
            .Audited(AuditActions.Read, "WaitlistList")
            .WithName("ListMyWaitlist")
            .WithSummary("My waitlist entries.");
        me.MapPost("/waitlist", JoinWaitlist)
            .Audited(AuditActions.Create, "WaitlistEntry")
            .Idempotent()
            .WithName("JoinMyWaitlist")
            .WithSummary("Wait for an earlier slot with a practitioner between two dates.")
            .ProducesValidationProblem();
        return endpoints;
    }

    private static async Task<Results<Ok<Page<AppointmentDto>>, ValidationProblem>> List(
        HttpContext http, CurrentUser user, ReadDb read, TimeProvider clock, DateTimeOffset? from, int? limit, string? cursor,
        CancellationToken cancellationToken)
    {
        if (Paging.Check(http, ListParameters, limit) is { } invalid)
        {
            return invalid;
        }

        var start = from ?? clock.GetUtcNow().AddDays(-30);
        var db = await read.ContextAsync();
        var query = db.Appointments.AsNoTracking()
            .Where(a => a.StartsAt >= start && db.Patients.Any(p => p.Id == a.PatientId && p.UserId == user.Id));
        if (cursor is not null)
        {
            if (!Paging.TryReadCursor(cursor, out var after))
            {
                return Paging.BadCursor();
            }

            query = query.Where(a => a.StartsAt > after.At || (a.StartsAt == after.At && a.Id.CompareTo(after.Id) > 0));
        }

        var size = limit ?? Paging.DefaultLimit;
        var rows = await query.OrderBy(a => a.StartsAt).ThenBy(a => a.Id)
            .Join(db.Clinics, a => a.ClinicId, c => c.Id, (a, c) => new { a, c.TimeZone })
            .Take(size + 1)
            .ToListAsync(cancellationToken);
        var items = rows.Take(size).Select(x => x.a.ToDto(ClinicTime.Zone(x.TimeZone))).ToList();
        var next = rows.Count > size ? Paging.NextLink(http, Paging.Cursor(rows[size - 1].a.StartsAt, rows[size - 1].a.Id)) : null;
        return TypedResults.Ok(new Page<AppointmentDto>(items, next));
    }

    private static async Task<Results<Created<AppointmentDto>, NotFound, ValidationProblem, ProblemHttpResult>> Book(
        MyBookingRequest request, HttpContext http, CurrentUser user, HealthcareDbContext db, ClinicDirectory clinics, Booking booking, Auditor audit,
        CancellationToken cancellationToken)
    {
        var patientId = await MyPatientIdAsync(db, user.Id, request.ClinicId, cancellationToken);
        if (patientId is null)
        {
            return Problems.Field("clinicId", "Your account is not linked to a patient record at this clinic.");
        }

        audit.ClinicId = request.ClinicId;
        audit.PatientId = patientId;
        var outcome = await booking.BookAsync(
            request.ClinicId, patientId.Value, request.PractitionerId, request.AppointmentTypeId, request.LocationId, request.StartsAt, user.Id,
            cancellationToken);
        if (outcome.Appointment is not { } appointment)
        {
            return outcome.Field is null ? outcome.ConflictProblem() : outcome.FieldProblem();
        }

        audit.ResourceId = appointment.Id.ToString();
        http.SetETag(appointment.Version);
        var zone = await AppointmentsApi.ZoneAsync(clinics, request.ClinicId, cancellationToken);
        return TypedResults.Created($"/api/v1/me/appointments/{appointment.Id}", appointment.ToDto(zone));
    }

    private static async Task<Results<Ok<AppointmentDto>, NotFound, ProblemHttpResult>> Cancel(
        Guid id, CancelRequest request, CurrentUser user, HealthcareDbContext db, ClinicDirectory clinics, TimeProvider clock, AvailabilityCache cache, HealthcareMetrics metrics, Auditor audit,
        CancellationToken cancellationToken)
    {
        var appointment = await MyAppointmentAsync(db, user.Id, id, audit, cancellationToken);
        if (appointment is null)
        {
            return TypedResults.NotFound();
        }

        var now = clock.GetUtcNow();
        if (await TooLateToCancelAsync(db, appointment, now, cancellationToken) is { } tooLate)
        {
            return tooLate;
        }

        if (appointment.Status == AppointmentStatus.Held ||
            !await AppointmentsApi.CancelAsync(db, appointment, request.Reason, user.Id, now, cache, metrics, cancellationToken))
        {
            return AppointmentMapping.IllegalTransition(appointment, "cancelled");
        }

        return TypedResults.Ok(appointment.ToDto(await AppointmentsApi.ZoneAsync(clinics, appointment.ClinicId, cancellationToken)));
    }

    /// <summary>403 when a patient's own cancellation falls inside the clinic's cancellation window (only staff may then cancel).</summary>
    internal static async Task<ProblemHttpResult?> TooLateToCancelAsync(HealthcareDbContext db, Appointment appointment, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var policy = await db.Clinics.AsNoTracking().Where(c => c.Id == appointment.ClinicId).Select(c => c.Policy).SingleAsync(cancellationToken);
        return appointment.Status == AppointmentStatus.Booked && appointment.StartsAt - now < TimeSpan.FromHours(policy.CancellationWindowHours)
            ? TypedResults.Problem(
                title: "It is too late to cancel online.",
                detail: $"Within {policy.CancellationWindowHours} hours of the appointment only the clinic can cancel it; please call them.",
                statusCode: StatusCodes.Status403Forbidden)
            : null;
    }

    private static async Task<Results<Ok<AppointmentDto>, NotFound, ProblemHttpResult>> Accept(
        Guid id, CurrentUser user, HealthcareDbContext db, ClinicDirectory clinics, TimeProvider clock, Auditor audit, CancellationToken cancellationToken)
    {
        var appointment = await MyAppointmentAsync(db, user.Id, id, audit, cancellationToken);
        if (appointment is null)
        {
            return TypedResults.NotFound();
        }

        var now = clock.GetUtcNow();
        if (appointment.Status == AppointmentStatus.Held && appointment.HoldExpiresAt <= now)
        {
            await WaitlistOffers.ExpireHoldsAsync(db, now, cancellationToken, appointment.PractitionerId);
        }

        if (!appointment.TryMoveTo(AppointmentStatus.Booked, now, user.Id))
        {
            return AppointmentMapping.IllegalTransition(appointment, "accepted");
        }

        await db.WaitlistEntries.Where(w => w.OfferedAppointmentId == appointment.Id)
            .ExecuteUpdateAsync(w => w.SetProperty(x => x.Status, WaitlistStatus.Booked).SetProperty(x => x.UpdatedAt, now), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(appointment.ToDto(await AppointmentsApi.ZoneAsync(clinics, appointment.ClinicId, cancellationToken)));
    }

    private static async Task<Results<Ok<AppointmentDto>, NotFound, ProblemHttpResult>> Decline(
        Guid id, CurrentUser user, HealthcareDbContext db, ClinicDirectory clinics, TimeProvider clock, AvailabilityCache cache, HealthcareMetrics metrics, Auditor audit,
        CancellationToken cancellationToken)
    {
        var appointment = await MyAppointmentAsync(db, user.Id, id, audit, cancellationToken);
        if (appointment is null)
        {
            return TypedResults.NotFound();
        }

        if (appointment.Status != AppointmentStatus.Held ||
            !await AppointmentsApi.CancelAsync(db, appointment, "Waitlist offer declined", user.Id, clock.GetUtcNow(), cache, metrics, cancellationToken))
        {
            return AppointmentMapping.IllegalTransition(appointment, "declined");
        }

        return TypedResults.Ok(appointment.ToDto(await AppointmentsApi.ZoneAsync(clinics, appointment.ClinicId, cancellationToken)));
    }

    private static async Task<Ok<List<WaitlistEntryDto>>> Waitlist(CurrentUser user, HealthcareDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok((await db.WaitlistEntries.AsNoTracking()
            .Where(w => db.Patients.Any(p => p.Id == w.PatientId && p.UserId == user.Id) && w.Status != WaitlistStatus.Cancelled)
            .OrderBy(w => w.CreatedAt)
            .Take(Paging.MaxLimit)
            .ToListAsync(cancellationToken)).Select(w => w.ToDto()).ToList());

    private static async Task<Results<Created<WaitlistEntryDto>, ValidationProblem>> JoinWaitlist(
        MyWaitlistRequest request, CurrentUser user, HealthcareDbContext db, ClinicDirectory clinics, TimeProvider clock, Auditor audit,
        CancellationToken cancellationToken)
    {
        var patientId = await MyPatientIdAsync(db, user.Id, request.ClinicId, cancellationToken);
        if (patientId is null)
        {
            return Problems.Field("clinicId", "Your account is not linked to a patient record at this clinic.");
        }

        audit.ClinicId = request.ClinicId;
        audit.PatientId = patientId;
        var (entry, invalid) = await WaitlistApi.AddAsync(
            db, clinics, clock, request.ClinicId, patientId.Value, request.PractitionerId, request.AppointmentTypeId, request.FromDate, request.ToDate,
            cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        audit.ResourceId = entry!.Id.ToString();
        return TypedResults.Created($"/api/v1/me/waitlist/{entry.Id}", entry.ToDto());
    }

    private static Task<Guid?> MyPatientIdAsync(HealthcareDbContext db, Guid userId, Guid clinicId, CancellationToken cancellationToken) =>
        db.Patients.Where(p => p.UserId == userId && p.ClinicId == clinicId).Select(p => (Guid?)p.Id).FirstOrDefaultAsync(cancellationToken);

    /// <summary>The caller's own appointment (any clinic), tracked for change; another person's is simply not found.</summary>
    private static async Task<Appointment?> MyAppointmentAsync(HealthcareDbContext db, Guid userId, Guid id, Auditor audit, CancellationToken cancellationToken)
    {
        var appointment = await db.Appointments
            .SingleOrDefaultAsync(a => a.Id == id && db.Patients.Any(p => p.Id == a.PatientId && p.UserId == userId), cancellationToken);
        if (appointment is not null)
        {
            audit.ClinicId = appointment.ClinicId;
            audit.PatientId = appointment.PatientId;
        }

        return appointment;
    }
}
