using System.ComponentModel.DataAnnotations;
using Healthcare.Api.Platform;
using Healthcare.Core.Scheduling;
using Microsoft.AspNetCore.Http.HttpResults;
using NodaTime;

namespace Healthcare.Api.Features.Scheduling;

public sealed record BookAppointmentRequest(
    [property: Required] Guid PatientId,
    [property: Required] Guid PractitionerId,
    [property: Required] Guid AppointmentTypeId,
    Guid? LocationId,
    [property: Required] DateTimeOffset StartsAt);

public sealed record MyBookingRequest(
    [property: Required] Guid ClinicId,
    [property: Required] Guid PractitionerId,
    [property: Required] Guid AppointmentTypeId,
    Guid? LocationId,
    [property: Required] DateTimeOffset StartsAt);

public sealed record RescheduleRequest([property: Required] DateTimeOffset StartsAt, Guid? LocationId);

public sealed record CancelRequest([property: Required, MinLength(3), MaxLength(500)] string Reason);

public sealed record AppointmentDto(
    Guid Id,
    Guid ClinicId,
    Guid PractitionerId,
    Guid PatientId,
    Guid AppointmentTypeId,
    Guid? LocationId,
    [property: OneOf(typeof(VisitModes))] string Mode,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    [property: OneOf(typeof(AppointmentStatus))] string Status,
    Guid? SeriesId,
    DateTimeOffset? HoldExpiresAt,
    DateTimeOffset? CheckedInAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? CancelledAt,
    string? CancellationReason,
    DateTimeOffset CreatedAt);

/// <summary>A free slot, with the clinic's UTC offset at that moment.</summary>
public sealed record SlotDto(DateTimeOffset StartsAt, DateTimeOffset EndsAt, Guid LocationId);

public sealed record PractitionerSlotsDto(Guid PractitionerId, IReadOnlyList<SlotDto> Slots);

/// <summary>One checked-in or in-progress visit in today's queue, in arrival order.</summary>
public sealed record QueueEntryDto(
    Guid AppointmentId,
    Guid PractitionerId,
    Guid PatientId,
    string PatientName,
    string Status,
    DateTimeOffset StartsAt,
    DateTimeOffset CheckedInAt,
    int WaitingMinutes);

public sealed record SeriesRequest(
    [property: Required] Guid PatientId,
    [property: Required] Guid PractitionerId,
    [property: Required] Guid AppointmentTypeId,
    Guid? LocationId,
    [property: Required] DateTimeOffset FirstStartsAt,
    [property: Range(1, 12)] int IntervalWeeks,
    [property: Range(2, AppointmentSeries.MaxOccurrences)] int Occurrences);

/// <summary>What happened to one occurrence: booked (with its appointment) or the conflict that prevented it.</summary>
public sealed record OccurrenceDto(int Number, DateTimeOffset StartsAt, string Outcome, Guid? AppointmentId, string? Conflict, string? Detail);

public sealed record SeriesDto(
    Guid Id, Guid PatientId, Guid PractitionerId, Guid AppointmentTypeId, int IntervalWeeks, int Occurrences, IReadOnlyList<OccurrenceDto> Results);

public sealed record SeriesCancelRequest([property: Required, MinLength(3), MaxLength(500)] string Reason, DateTimeOffset? From);

public sealed record SeriesCancelledDto(IReadOnlyList<Guid> Cancelled);

public sealed record WaitlistRequest(
    [property: Required] Guid PatientId,
    [property: Required] Guid PractitionerId,
    [property: Required] Guid AppointmentTypeId,
    [property: Required] DateOnly FromDate,
    [property: Required] DateOnly ToDate);

public sealed record MyWaitlistRequest(
    [property: Required] Guid ClinicId,
    [property: Required] Guid PractitionerId,
    [property: Required] Guid AppointmentTypeId,
    [property: Required] DateOnly FromDate,
    [property: Required] DateOnly ToDate);

public sealed record WaitlistEntryDto(
    Guid Id, Guid ClinicId, Guid PatientId, Guid PractitionerId, Guid AppointmentTypeId, DateOnly FromDate, DateOnly ToDate, string Status,
    Guid? OfferedAppointmentId, DateTimeOffset CreatedAt);

public static class AppointmentMapping
{
    public static AppointmentDto ToDto(this Appointment a, DateTimeZone zone) => a.ToUtcDto().InZone(zone);

    /// <summary>The appointment with its times as stored, in UTC.</summary>
    public static AppointmentDto ToUtcDto(this Appointment a) => new(
        a.Id, a.ClinicId, a.PractitionerId, a.PatientId, a.AppointmentTypeId, a.LocationId, a.Mode, a.StartsAt, a.EndsAt, a.Status,
        a.SeriesId, a.HoldExpiresAt, a.CheckedInAt, a.StartedAt, a.CompletedAt, a.CancelledAt, a.CancellationReason, a.CreatedAt);

    /// <summary>The appointment's times as the clinic's local time, with the offset of each moment.</summary>
    public static AppointmentDto InZone(this AppointmentDto a, DateTimeZone zone) => a with
    {
        StartsAt = ClinicTime.Local(a.StartsAt, zone),
        EndsAt = ClinicTime.Local(a.EndsAt, zone),
        HoldExpiresAt = Local(a.HoldExpiresAt, zone),
        CheckedInAt = Local(a.CheckedInAt, zone),
        StartedAt = Local(a.StartedAt, zone),
        CompletedAt = Local(a.CompletedAt, zone),
        CancelledAt = Local(a.CancelledAt, zone),
        CreatedAt = ClinicTime.Local(a.CreatedAt, zone),
    };

    public static WaitlistEntryDto ToDto(this WaitlistEntry w) => new(
        w.Id, w.ClinicId, w.PatientId, w.PractitionerId, w.AppointmentTypeId, w.FromDate, w.ToDate, w.Status, w.OfferedAppointmentId, w.CreatedAt);

    /// <summary>The 400 answer to a booking refused for a field at fault (see <see cref="BookingOutcome.Field"/>).</summary>
    public static ValidationProblem FieldProblem(this BookingOutcome outcome) => Problems.Field(outcome.Field!, outcome.Detail);

    /// <summary>The 409 answer to a booking that clashes, with a machine-readable <c>conflict</c> code.</summary>
    public static ProblemHttpResult ConflictProblem(this BookingOutcome outcome) => TypedResults.Problem(
        title: "The appointment cannot be booked at that time.",
        detail: outcome.Detail,
        statusCode: StatusCodes.Status409Conflict,
        extensions: new Dictionary<string, object?> { ["conflict"] = outcome.Conflict });

    /// <summary>409 naming the current state, for a transition the state machine does not allow.</summary>
    public static ProblemHttpResult IllegalTransition(Appointment appointment, string action) => TypedResults.Problem(
        title: $"An appointment that is {appointment.Status.Replace('_', ' ')} cannot be {action}.",
        detail: $"The appointment's current state is '{appointment.Status}'.",
        statusCode: StatusCodes.Status409Conflict,
        extensions: new Dictionary<string, object?> { ["currentState"] = appointment.Status });

    private static DateTimeOffset? Local(DateTimeOffset? at, DateTimeZone zone) => at is { } value ? ClinicTime.Local(value, zone) : null;
}
