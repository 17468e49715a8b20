using Healthcare.Api.Features.Clinics;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Healthcare.Core.Observability;
using Healthcare.Core.Scheduling;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Npgsql;

namespace Healthcare.Api.Features.Scheduling;

/// <summary>
/// Staff scheduling: book, list, read, reschedule and move appointments through their life cycle
/// (check in, start, complete, no-show, cancel), and today's check-in queue.
/// </summary>
public static class AppointmentsApi
{
    private const string Resource = "Appointment";
    private static readonly HashSet<string> ListParameters = ["from", "to", "practitionerId", "patientId", "status", "sort"];
    private static readonly HashSet<string> QueueParameters = ["practitionerId", "date"];

    public static IEndpointRouteBuilder MapAppointmentsApi(this IEndpointRouteBuilder endpoints)
    {
        var appointments = endpoints.MapGroup("/api/v1/clinics/{clinicId:guid}/appointments").WithTags("Scheduling")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        appointments.MapPost("", Book)
            .ReturnsETag()
            .RequirePermission(Permissions.AppointmentsManage)
            .Audited(AuditActions.Create, Resource)
            .Idempotent()
            .WithName("BookAppointment")
            .WithSummary("Book a patient with a practitioner. 409 with a conflict code when the time is taken or outside working hours.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        appointments.MapGet("", List)
            .RequirePermission(Permissions.AppointmentsRead)
            .Audited(AuditActions.Read, "AppointmentList")
            .WithName("ListAppointments")
            .WithSummary("Appointments in a period, filtered by practitioner, patient or status; keyset paginated by start time.")
            .ProducesValidationProblem();
        appointments.MapGet("/{id:guid}", Get)
            .ReturnsETag()
            .RequirePermission(Permissions.AppointmentsRead)
            .Audited(AuditActions.Read, Resource)
            .WithName("GetAppointment")
            .WithSummary("One appointment; the ETag may be sent as If-Match with any change.");
        appointments.MapGet("/queue", Queue)
            .RequirePermission(Permissions.AppointmentsRead)
            .Audited(AuditActions.Read, "CheckInQueue")
            .WithName("GetCheckInQueue")
            .WithSummary("Today's (or a given day's) checked-in and in-progress patients per practitioner, in arrival order, with waiting time.")
            .ProducesValidationProblem();
        appointments.MapPost("/{id:guid}/reschedule", Reschedule)
            .RequirePermission(Permissions.AppointmentsManage)
            .Audited(AuditActions.Update, Resource)
            .WithName("RescheduleAppointment")
            .WithSummary("Move a booked appointment to another time; the old time is offered to the waitlist.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .AcceptsIfMatch();
        appointments.MapPost("/{id:guid}/cancel", Cancel)
            .RequirePermission(Permissions.AppointmentsManage)
            .Audited(AuditActions.Update, Resource)
            .WithName("CancelAppointment")
            .WithSummary("Cancel with a reason (staff may cancel at any time); the freed slot is offered to the waitlist.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .AcceptsIfMatch();
        MapTransition(appointments, "check-in", AppointmentStatus.CheckedIn, "checked in", "CheckInAppointment", "The patient has arrived.");
        MapTransition(appointments, "start", AppointmentStatus.InProgress, "started", "StartAppointment", "The practitioner starts seeing the checked-in patient.");
        MapTransition(appointments, "complete", AppointmentStatus.Completed, "completed", "CompleteAppointment", "The visit is over.");
        MapTransition(appointments, "no-show", AppointmentStatus.NoShow, "marked as a no-show", "MarkNoShow", "The patient did not come (only once the start time has passed).");
        MapTransition(appointments, "confirm", AppointmentStatus.Booked, "confirmed", "ConfirmHeldAppointment", "Confirm a slot held for a waitlisted patient on their behalf.");
        return endpoints;
    }

    private static void MapTransition(RouteGroupBuilder group, string verb, string target, string pastTense, string name, string summary) =>
        group.MapPost($"/{{id:guid}}/{verb}", (Guid clinicId, Guid id, HttpContext http, CurrentUser user, HealthcareDbContext db, ClinicDirectory clinics, TimeProvider clock, Auditor audit,
                CancellationToken ct) => TransitionAsync(clinicId, id, target, pastTense, http, user, db, clinics, clock, audit, ct))
            .RequirePermission(Permissions.AppointmentsManage)
            .Audited(AuditActions.Update, Resource)
            .WithName(name)
            .WithSummary(summary)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .AcceptsIfMatch();

    private static async Task<Results<Created<AppointmentDto>, ValidationProblem, ProblemHttpResult>> Book(
        Guid clinicId, BookAppointmentRequest request, HttpContext http, CurrentUser user, Booking booking, HealthcareDbContext db, ClinicDirectory clinics, Auditor audit,
        CancellationToken cancellationToken)
    {
        audit.PatientId = request.PatientId;
        var outcome = await booking.BookAsync(
            clinicId, request.PatientId, request.PractitionerId, request.AppointmentTypeId, request.LocationId, request.StartsAt,
            user.Id, cancellationToken);
        if (outcome.Appointment is not { } appointment)
        {
            return outcome.Field is null ? outcome.ConflictProblem() : outcome.FieldProblem();
        }

        audit.ResourceId = appointment.Id.ToString();
        http.SetETag(appointment.Version);
        var zone = await ZoneAsync(clinics, clinicId, cancellationToken);
        return TypedResults.Created($"/api/v1/clinics/{clinicId}/appointments/{appointment.Id}", appointment.ToDto(zone));
    }

    private static async Task<Results<Ok<Page<AppointmentDto>>, ValidationProblem>> List(
        Guid clinicId, HttpContext http, ReadDb read, DateTimeOffset? from, DateTimeOffset? to, Guid? practitionerId,
        Guid? patientId, string? status, string? sort, int? limit, string? cursor, ClinicDirectory clinics, Auditor audit,
        CancellationToken cancellationToken)
    {
        if (Paging.Check(http, ListParameters, limit) is { } invalid)
        {
            return invalid;
        }

        if (status is not null && !AppointmentStatus.All.Contains(status))
        {
            return Problems.Field("status", $"Use one of: {string.Join(", ", AppointmentStatus.All)}.");
        }

        if (sort is not (null or "startsAt" or "-startsAt"))
        {
            return Problems.Field("sort", "Sort by startsAt or -startsAt.");
        }

        audit.PatientId = patientId;
        var db = await read.ContextAsync();
        var query = db.Appointments.AsNoTracking().Where(a => a.ClinicId == clinicId);
        query = from is { } start ? query.Where(a => a.StartsAt >= start) : query;
        query = to is { } end ? query.Where(a => a.StartsAt < end) : query;
        query = practitionerId is { } practitioner ? query.Where(a => a.PractitionerId == practitioner) : query;
        query = patientId is { } patient ? query.Where(a => a.PatientId == patient) : query;
        query = status is not null ? query.Where(a => a.Status == status) : query;
        var descending = sort == "-startsAt";
        if (cursor is not null)
        {
            if (!Paging.TryReadCursor(cursor, out var after))
            {
                return Paging.BadCursor();
            }

            query = descending
                ? query.Where(a => a.StartsAt < after.At || (a.StartsAt == after.At && a.Id.CompareTo(after.Id) < 0))
                : query.Where(a => a.StartsAt > after.At || (a.StartsAt == after.At && a.Id.CompareTo(after.Id) > 0));
        }

        query = descending ? query.OrderByDescending(a => a.StartsAt).ThenByDescending(a => a.Id) : query.OrderBy(a => a.StartsAt).ThenBy(a => a.Id);
        var size = limit ?? Paging.DefaultLimit;
        var rows = await query.Take(size + 1).ToListAsync(cancellationToken);
        var zone = await ZoneAsync(clinics, clinicId, cancellationToken);
        var items = rows.Take(size).Select(a => a.ToDto(zone)).ToList();
        var next = rows.Count > size ? Paging.NextLink(http, Paging.Cursor(rows[size - 1].StartsAt, rows[size - 1].Id)) : null;
        return TypedResults.Ok(new Page<AppointmentDto>(items, next));
    }

    private static async Task<Results<Ok<AppointmentDto>, NotFound>> Get(
        Guid clinicId, Guid id, HttpContext http, NpgsqlDataSource database, ClinicDirectory clinics, Auditor audit, CancellationToken cancellationToken)
    {
        var appointment = await AppointmentById.ReadAsync(database, id, clinicId, cancellationToken);
        if (appointment is null)
        {
            return TypedResults.NotFound();
        }

        audit.PatientId = appointment.Utc.PatientId;
        http.SetETag(appointment.Version);
        return TypedResults.Ok(appointment.Utc.InZone(await ZoneAsync(clinics, clinicId, cancellationToken)));
    }

    private static async Task<Results<Ok<List<QueueEntryDto>>, ValidationProblem>> Queue(
        Guid clinicId, HttpContext http, HealthcareDbContext db, ClinicDirectory clinics, TimeProvider clock, Guid? practitionerId, DateOnly? date,
        CancellationToken cancellationToken)
    {
        if (Paging.Check(http, QueueParameters, null) is { } invalid)
        {
            return invalid;
        }

        if (date is { Year: < 1900 or > 2200 })
        {
            // The day's bounds in the clinic's zone would fall outside what a DateTimeOffset holds.
            return Problems.Field("date", "Use a date between the years 1900 and 2200.");
        }

        var zone = await ZoneAsync(clinics, clinicId, cancellationToken);
        var day = date is { } d ? LocalDate.FromDateOnly(d) : ClinicTime.Today(clock, zone);
        var dayStart = ClinicTime.StartOfDay(day, zone).ToDateTimeOffset();
        var dayEnd = ClinicTime.StartOfDay(day.PlusDays(1), zone).ToDateTimeOffset();
        var now = clock.GetUtcNow();
        var rows = await db.Appointments.AsNoTracking()
            .Where(a => a.ClinicId == clinicId && a.StartsAt >= dayStart && a.StartsAt < dayEnd &&
                (a.Status == AppointmentStatus.CheckedIn || a.Status == AppointmentStatus.InProgress) &&
                (practitionerId == null || a.PractitionerId == practitionerId))
            .Join(db.Patients, a => a.PatientId, p => p.Id, (a, p) => new { a, p.GivenName, p.FamilyName })
            .OrderBy(x => x.a.PractitionerId).ThenBy(x => x.a.CheckedInAt)
            .Take(500)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(x => new QueueEntryDto(
            x.a.Id, x.a.PractitionerId, x.a.PatientId, $"{x.GivenName} {x.FamilyName}", x.a.Status,
            ClinicTime.Local(x.a.StartsAt, zone), ClinicTime.Local(x.a.CheckedInAt!.Value, zone),
            (int)Math.Max(0, ((x.a.StartedAt ?? now) - x.a.CheckedInAt!.Value).TotalMinutes))).ToList());
    }

    private static async Task<Results<Ok<AppointmentDto>, NotFound, ValidationProblem, ProblemHttpResult>> Reschedule(
        Guid clinicId, Guid id, RescheduleRequest request, HttpContext http, HealthcareDbContext db, ClinicDirectory clinics, Booking booking, Auditor audit,
        CancellationToken cancellationToken)
    {
        var appointment = await db.Appointments.SingleOrDefaultAsync(a => a.Id == id && a.ClinicId == clinicId, cancellationToken);
        if (appointment is null)
        {
            return TypedResults.NotFound();
        }

        audit.PatientId = appointment.PatientId;
        if (Versioning.IsStale(http, appointment.Version))
        {
            return Versioning.Stale("appointment");
        }

        if (appointment.Status != AppointmentStatus.Booked)
        {
            return AppointmentMapping.IllegalTransition(appointment, "rescheduled");
        }

        var outcome = await booking.RescheduleAsync(appointment, request.StartsAt, request.LocationId, cancellationToken);
        if (outcome.Appointment is null)
        {
            return outcome.Field is null ? outcome.ConflictProblem() : outcome.FieldProblem();
        }

        http.SetETag(appointment.Version);
        return TypedResults.Ok(appointment.ToDto(await ZoneAsync(clinics, clinicId, cancellationToken)));
    }

    private static async Task<Results<Ok<AppointmentDto>, NotFound, ProblemHttpResult>> Cancel(
        Guid clinicId, Guid id, CancelRequest request, HttpContext http, CurrentUser user, HealthcareDbContext db, ClinicDirectory clinics, TimeProvider clock,
        AvailabilityCache cache, HealthcareMetrics metrics, Auditor audit, CancellationToken cancellationToken)
    {
        var appointment = await db.Appointments.SingleOrDefaultAsync(a => a.Id == id && a.ClinicId == clinicId, cancellationToken);
        if (appointment is null)
        {
            return TypedResults.NotFound();
        }

        audit.PatientId = appointment.PatientId;
        if (Versioning.IsStale(http, appointment.Version))
        {
            return Versioning.Stale("appointment");
        }

        if (!await CancelAsync(db, appointment, request.Reason, user.Id, clock.GetUtcNow(), cache, metrics, cancellationToken))
        {
            return AppointmentMapping.IllegalTransition(appointment, "cancelled");
        }

        http.SetETag(appointment.Version);
        return TypedResults.Ok(appointment.ToDto(await ZoneAsync(clinics, clinicId, cancellationToken)));
    }

    /// <summary>Cancels, tells the patient (outbox) and offers the freed time to the waitlist, all in the caller's transaction.</summary>
    public static async Task<bool> CancelAsync(
        HealthcareDbContext db, Appointment appointment, string reason, Guid? by, DateTimeOffset now, AvailabilityCache cache,
        HealthcareMetrics metrics, CancellationToken cancellationToken)
    {
        var wasHeld = appointment.Status == AppointmentStatus.Held;
        if (!appointment.TryMoveTo(AppointmentStatus.Cancelled, now, by, reason.Trim()))
        {
            return false;
        }

        if (wasHeld)
        {
            // A declined waitlist offer: the patient leaves the waitlist entry it answered.
            await db.WaitlistEntries.Where(w => w.OfferedAppointmentId == appointment.Id)
                .ExecuteUpdateAsync(w => w.SetProperty(x => x.Status, WaitlistStatus.Cancelled).SetProperty(x => x.UpdatedAt, now), cancellationToken);
        }
        else
        {
            db.OutboxMessages.Add(OutboxMessage.Create(OutboxKinds.AppointmentCancelled, new { AppointmentId = appointment.Id, appointment.ClinicId, appointment.PatientId }));
        }

        await db.SaveWithoutSavepointAsync(cancellationToken);
        await WaitlistOffers.OfferFreedSlotAsync(db, appointment, now, cancellationToken, skipPatient: appointment.PatientId);
        await cache.ForgetAsync(appointment.PractitionerId, cancellationToken);
        metrics.AppointmentCancelled();
        return true;
    }

    private static async Task<Results<Ok<AppointmentDto>, NotFound, ProblemHttpResult>> TransitionAsync(
        Guid clinicId, Guid id, string target, string pastTense, HttpContext http, CurrentUser user, HealthcareDbContext db, ClinicDirectory clinics, TimeProvider clock, Auditor audit,
        CancellationToken cancellationToken)
    {
        var appointment = await db.Appointments.SingleOrDefaultAsync(a => a.Id == id && a.ClinicId == clinicId, cancellationToken);
        if (appointment is null)
        {
            return TypedResults.NotFound();
        }

        audit.PatientId = appointment.PatientId;
        if (Versioning.IsStale(http, appointment.Version))
        {
            return Versioning.Stale("appointment");
        }

        var now = clock.GetUtcNow();
        if (target == AppointmentStatus.NoShow && appointment.CanMoveTo(target) && now < appointment.StartsAt)
        {
            return TypedResults.Problem(
                title: "The appointment has not started yet.",
                detail: "A patient can be marked as a no-show only after the appointment's start time.",
                statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["currentState"] = appointment.Status });
        }

        if (!appointment.TryMoveTo(target, now, user.Id))
        {
            return AppointmentMapping.IllegalTransition(appointment, pastTense);
        }

        if (target == AppointmentStatus.Booked)
        {
            await db.WaitlistEntries.Where(w => w.OfferedAppointmentId == appointment.Id)
                .ExecuteUpdateAsync(w => w.SetProperty(x => x.Status, WaitlistStatus.Booked).SetProperty(x => x.UpdatedAt, now), cancellationToken);
        }

        await db.SaveChangesAsync(cancellationToken);
        http.SetETag(appointment.Version);
        return TypedResults.Ok(appointment.ToDto(await ZoneAsync(clinics, clinicId, cancellationToken)));
    }

    /// <summary>The clinic's time zone, from the cached clinic profile (forgotten when the clinic changes).</summary>
    internal static async ValueTask<DateTimeZone> ZoneAsync(ClinicDirectory clinics, Guid clinicId, CancellationToken cancellationToken) =>
        await clinics.GetAsync(clinicId, cancellationToken) is { } clinic
            ? ClinicTime.Zone(clinic.Profile.TimeZone)
            : throw new InvalidOperationException("The clinic of an appointment does not exist.");
}
