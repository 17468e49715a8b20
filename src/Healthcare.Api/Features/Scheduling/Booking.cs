using Healthcare.Api.Features.Clinics;
using Healthcare.Core.Data;
using Healthcare.Core.Messaging;
using Healthcare.Core.Observability;
using Healthcare.Core.Scheduling;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Healthcare.Api.Features.Scheduling;

/// <summary>What a booking attempt came to: the appointment, or why not (a field at fault, or a conflict).</summary>
public sealed record BookingOutcome(Appointment? Appointment, string? Field, string? Conflict, string Detail)
{
    public static BookingOutcome Booked(Appointment appointment) => new(appointment, null, null, "");

    public static BookingOutcome Invalid(string field, string detail) => new(null, field, null, detail);

    public static BookingOutcome Conflicting(string conflict, string detail) => new(null, null, conflict, detail);
}

/// <summary>Conflict codes a booking can answer with (also per occurrence of a series).</summary>
public static class BookingConflicts
{
    public const string OutsideWorkingHours = "outside_working_hours";
    public const string TimeOff = "time_off";
    public const string SlotTaken = "slot_taken";
    public const string PatientBusy = "patient_busy";
}

/// <summary>
/// Books appointments: checks the request against the directory and the practitioner's working hours and
/// absences, then lets PostgreSQL's exclusion constraints decide races. Writes the booking confirmation to the
/// outbox in the same transaction.
/// </summary>
public sealed class Booking(HealthcareDbContext db, ClinicDirectory clinics, TimeProvider clock, AvailabilityCache cache, HealthcareMetrics metrics)
{
    public async Task<BookingOutcome> BookAsync(
        Guid clinicId, Guid patientId, Guid practitionerId, Guid appointmentTypeId, Guid? locationId, DateTimeOffset startsAt,
        Guid? bookedBy, CancellationToken cancellationToken, Guid? seriesId = null)
    {
        var now = clock.GetUtcNow();
        var zone = await AppointmentsApi.ZoneAsync(clinics, clinicId, cancellationToken);
        var checks = await BookingChecks.ReadAsync(
            db, clinicId, practitionerId, patientId, appointmentTypeId, locationId, startsAt, now, activeOnly: true, cancellationToken);
        if (Refusal(checks) is { } invalid)
        {
            return invalid;
        }

        if (!checks.PatientFound)
        {
            return BookingOutcome.Invalid("patientId", "No patient with this id in the clinic.");
        }

        if (startsAt <= now)
        {
            return BookingOutcome.Invalid("startsAt", "The appointment must start in the future.");
        }

        var type = checks.Type!;
        var (refused, shiftLocation) = CheckSchedule(zone, checks, locationId, startsAt);
        if (refused is not null)
        {
            return refused;
        }

        if (checks.LapsedHolds)
        {
            await WaitlistOffers.ExpireHoldsAsync(db, now, cancellationToken, practitionerId);
        }

        var appointment = Appointment.Book(
            clinicId, practitionerId, patientId, type, locationId ?? shiftLocation, startsAt, bookedBy, now, seriesId);
        var message = OutboxMessage.Create(OutboxKinds.AppointmentBooked, new { AppointmentId = appointment.Id, clinicId, patientId });
        db.Appointments.Add(appointment);
        db.OutboxMessages.Add(message);
        try
        {
            // A lone booking's refusal ends the request; a series goes on to its next occurrence in the same transaction.
            await (seriesId is null ? db.SaveWithoutSavepointAsync(cancellationToken) : db.SaveChangesAsync(cancellationToken));
        }
        catch (DbUpdateException e) when (e.ExclusionConstraint() is { } constraint)
        {
            db.Entry(appointment).State = EntityState.Detached;
            db.Entry(message).State = EntityState.Detached;
            return Overlap(constraint);
        }

        await cache.ForgetAsync(practitionerId, cancellationToken);
        metrics.AppointmentBooked();
        return BookingOutcome.Booked(appointment);
    }

    /// <summary>Moves a booked appointment; the old time is freed (and offered to the waitlist) only if the move succeeds.</summary>
    public async Task<BookingOutcome> RescheduleAsync(Appointment appointment, DateTimeOffset startsAt, Guid? locationId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (startsAt <= now)
        {
            return BookingOutcome.Invalid("startsAt", "The appointment must start in the future.");
        }

        var zone = await AppointmentsApi.ZoneAsync(clinics, appointment.ClinicId, cancellationToken);
        var checks = await BookingChecks.ReadAsync(
            db, appointment.ClinicId, appointment.PractitionerId, appointment.PatientId, appointment.AppointmentTypeId, locationId, startsAt, now,
            activeOnly: false, cancellationToken);
        if (Refusal(checks) is { } invalid)
        {
            return invalid;
        }

        var type = checks.Type!;
        var (refused, shiftLocation) = CheckSchedule(zone, checks, locationId, startsAt);
        if (refused is not null)
        {
            return refused;
        }

        var previous = Appointment.Book(
            appointment.ClinicId, appointment.PractitionerId, appointment.PatientId, type, appointment.LocationId, appointment.StartsAt, null, now);
        appointment.TryReschedule(startsAt, type, locationId ?? shiftLocation, now);
        db.OutboxMessages.Add(OutboxMessage.Create(OutboxKinds.AppointmentRescheduled, new { AppointmentId = appointment.Id, appointment.ClinicId, appointment.PatientId }));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.ExclusionConstraint() is { } constraint)
        {
            db.ChangeTracker.Clear();
            return Overlap(constraint);
        }

        await WaitlistOffers.OfferFreedSlotAsync(db, previous, now, cancellationToken);
        await cache.ForgetAsync(appointment.PractitionerId, cancellationToken);
        return BookingOutcome.Booked(appointment);
    }

    private static BookingOutcome Overlap(string constraint) => constraint.Contains("patient", StringComparison.Ordinal)
        ? BookingOutcome.Conflicting(BookingConflicts.PatientBusy, "The patient has another appointment at that time.")
        : BookingOutcome.Conflicting(BookingConflicts.SlotTaken, "The practitioner is already booked at that time.");

    /// <summary>
    /// Refuses a time outside the practitioner's working hours (at the location, if one is asked for) or in an
    /// absence; otherwise gives the location of the shift, which an in-person visit takes when none was asked for.
    /// </summary>
    private static (BookingOutcome? Refused, Guid? ShiftLocation) CheckSchedule(
        DateTimeZone zone, BookingChecks checks, Guid? locationId, DateTimeOffset startsAt)
    {
        var type = checks.Type!;
        var shift = Availability.ShiftLocation(zone, checks.Hours, Instant.FromDateTimeOffset(startsAt), Duration.FromMinutes(type.DurationMinutes));
        if (shift is null)
        {
            return (BookingOutcome.Conflicting(
                BookingConflicts.OutsideWorkingHours,
                locationId is null ? "The practitioner does not work at that time." : "The practitioner does not work at that location at that time."), null);
        }

        return checks.Absent
            ? (BookingOutcome.Conflicting(BookingConflicts.TimeOff, "The practitioner is away at that time."), null)
            : (null, type.Mode == VisitModes.InPerson ? shift : null);
    }

    /// <summary>The practitioner or the visit type is not (or no longer, for a new booking) in the clinic.</summary>
    private static BookingOutcome? Refusal(BookingChecks checks) =>
        !checks.PractitionerFound ? BookingOutcome.Invalid("practitionerId", "No active practitioner with this id in the clinic.")
        : checks.Type is null ? BookingOutcome.Invalid("appointmentTypeId", "No active appointment type with this id in the clinic.")
        : null;
}
