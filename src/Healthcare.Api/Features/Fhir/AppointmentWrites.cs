using System.Text.Json;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Features.Scheduling;
using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Healthcare.Core.Fhir;
using Healthcare.Core.Identity;
using Healthcare.Core.Observability;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using AppointmentEntity = Healthcare.Core.Scheduling.Appointment;
using NativeStatus = Healthcare.Core.Scheduling.AppointmentStatus;

namespace Healthcare.Api.Features.Fhir;

/// <summary>
/// Appointment create (<c>POST</c>, through the native <see cref="Booking"/>: the same rules, conflicts and
/// <c>Idempotency-Key</c>) and update (<c>PUT</c>, which only cancels, through the native cancellation, under
/// <c>If-Match</c>). Staff book and cancel with appointments:manage; a patient books and cancels their own
/// appointments, as in <c>/api/v1/me</c>.
/// </summary>
public static class AppointmentWrites
{
    private const string Type = AppointmentResources.Type;

    public static async Task<IResult> Create(
        HttpContext http, FhirAccess access, HealthcareDbContext db, Booking booking, AppointmentTypeDirectory types, CurrentUser user, Auditor audit,
        CancellationToken cancellationToken)
    {
        var reach = await access.ReachAsync(Type, 'c', Permissions.AppointmentsManage, cancellationToken);
        if (reach.IsScopeMissing)
        {
            return Reach.ScopeRefusal(Type, 'c');
        }

        var (appointment, refusal) = await ParseAsync(http, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        if (appointment!.Status is not (null or Appointment.AppointmentStatus.Booked))
        {
            return FhirResponses.Outcome(StatusCodes.Status422UnprocessableEntity, "Only booked appointments can be created.", "Appointment.status");
        }

        var actors = Actors(appointment);
        if (actors is not { Patient: { } patientId, Practitioner: { } practitionerId })
        {
            return FhirResponses.Invalid("Appointment.participant", "Give one Patient/{id}, one Practitioner/{id} and at most one Location/{id} as participants' actors.");
        }

        if (appointment.Start is not { } startsAt)
        {
            return FhirResponses.Invalid("Appointment.start", "The appointment needs a start.");
        }

        if (VisitTypeOf(appointment) is not { } typeId)
        {
            return FhirResponses.Invalid(
                "Appointment.appointmentType",
                $"Give the visit type as a coding of {SlotResources.AppointmentTypeSystem} (the appointment type's id) in appointmentType or serviceType.");
        }

        var clinicId = await db.Patients.AsNoTracking().Where(p => p.Id == patientId).Select(p => (Guid?)p.ClinicId).SingleOrDefaultAsync(cancellationToken);
        if (clinicId is not { } clinic || !(reach.ReachesClinic(clinic) || reach.OwnPatients.TryGetValue(patientId, out var own) && own == clinic))
        {
            return FhirResponses.NotFound("Patient");
        }

        reach.Audit(audit, clinic, patientId);
        if (appointment.End is { } end && await types.GetActiveAsync(clinic, typeId, cancellationToken) is { } type && end != startsAt.AddMinutes(type.DurationMinutes))
        {
            return FhirResponses.Invalid("Appointment.end", $"A visit of this type lasts {type.DurationMinutes} minutes; leave out end or make it match.");
        }

        var outcome = await booking.BookAsync(clinic, patientId, practitionerId, typeId, actors.Location, startsAt, user.Id, cancellationToken);
        if (outcome.Appointment is not { } booked)
        {
            return outcome.Field is null
                ? FhirResponses.Outcome(StatusCodes.Status409Conflict, $"The appointment cannot be booked at that time ({outcome.Conflict}): {outcome.Detail}", "Appointment.start")
                : FhirResponses.Invalid(ElementOf(outcome.Field), outcome.Detail);
        }

        audit.ResourceId = booked.Id.ToString();
        http.Response.Headers.Location = $"{FhirApi.Base}/{Type}/{booked.Id}";
        return FhirResponses.Resource(booked.ToFhir(), StatusCodes.Status201Created);
    }

    public static async Task<IResult> Update(
        string id, HttpContext http, FhirAccess access, HealthcareDbContext db, CurrentUser user, TimeProvider clock, AvailabilityCache cache,
        HealthcareMetrics metrics, Auditor audit, CancellationToken cancellationToken)
    {
        var reach = await access.ReachAsync(Type, 'u', Permissions.AppointmentsManage, cancellationToken);
        if (reach.IsScopeMissing)
        {
            return Reach.ScopeRefusal(Type, 'u');
        }

        var current = Guid.TryParse(id, out var appointmentId)
            ? await db.Appointments.SingleOrDefaultAsync(a => a.Id == appointmentId, cancellationToken)
            : null;
        if (current is null)
        {
            return FhirResponses.NotFound(Type);
        }

        var staff = reach.ReachesClinic(current.ClinicId);
        if (!staff && !(reach.OwnPatients.TryGetValue(current.PatientId, out var own) && own == current.ClinicId))
        {
            // Who may read it but not change it is refused; to anyone else it does not exist.
            var readable = await access.ReachAsync(Type, 'r', Permissions.AppointmentsRead, cancellationToken);
            return readable.Reaches(current.ClinicId, current.PatientId)
                ? FhirResponses.Outcome(StatusCodes.Status403Forbidden, "Changing this appointment needs the appointments:manage permission.")
                : FhirResponses.NotFound(Type);
        }

        reach.Audit(audit, current.ClinicId, current.PatientId);
        if (http.Request.Headers.IfMatch.Count == 0)
        {
            return FhirResponses.Outcome(StatusCodes.Status428PreconditionRequired, "If-Match is required: send the ETag (W/\"{versionId}\") of the last read.");
        }

        if (!MatchesVersion(http.Request.Headers.IfMatch.ToString(), current.Version))
        {
            return FhirResponses.Outcome(StatusCodes.Status412PreconditionFailed, "The appointment has changed since it was read; read it again and send its new ETag as If-Match.");
        }

        var (appointment, refusal) = await ParseAsync(http, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        if (appointment!.Id != current.Id.ToString())
        {
            return FhirResponses.Invalid("Appointment.id", "The resource's id must be the id in the URL.");
        }

        if (appointment.Status != Appointment.AppointmentStatus.Cancelled || !KeepsAllButStatus(appointment, current))
        {
            return FhirResponses.Outcome(
                StatusCodes.Status422UnprocessableEntity,
                "Only cancellation is supported: send the appointment unchanged with status cancelled and cancelationReason.text.",
                "Appointment.status");
        }

        if (appointment.CancelationReason?.Text?.Trim() is not { Length: >= 3 and <= 500 } reason)
        {
            return FhirResponses.Invalid("Appointment.cancelationReason", "Give the reason for the cancellation in cancelationReason.text (3 to 500 characters).");
        }

        var now = clock.GetUtcNow();
        if (!staff)
        {
            if (await MyAppointmentsApi.TooLateToCancelAsync(db, current, now, cancellationToken) is { } tooLate)
            {
                return FromProblem(tooLate);
            }

            if (current.Status == NativeStatus.Held)
            {
                return FromProblem(AppointmentMapping.IllegalTransition(current, "cancelled"));
            }
        }

        if (!await AppointmentsApi.CancelAsync(db, current, reason, user.Id, now, cache, metrics, cancellationToken))
        {
            return FromProblem(AppointmentMapping.IllegalTransition(current, "cancelled"));
        }

        return FhirResponses.Resource(current.ToFhir());
    }

    /// <summary>The request's Appointment, or the refusal: 415 for another media type, 400 for what is not an Appointment.</summary>
    private static async Task<(Appointment? Appointment, IResult? Refusal)> ParseAsync(HttpContext http, CancellationToken cancellationToken)
    {
        var mediaType = http.Request.ContentType?.Split(';')[0].Trim();
        if (mediaType is not (FhirResponses.MediaType or "application/json"))
        {
            return (null, FhirResponses.Outcome(StatusCodes.Status415UnsupportedMediaType, $"Send the resource as {FhirResponses.MediaType}."));
        }

        using var reader = new StreamReader(http.Request.Body);
        var json = await reader.ReadToEndAsync(cancellationToken);
        try
        {
            return FhirJsonDeserializer.DEFAULT.DeserializeResource(json) is Appointment appointment
                ? (appointment, null)
                : (null, FhirResponses.Invalid("resourceType", "The body must be an Appointment."));
        }
        catch (DeserializationFailedException e)
        {
            return (null, FhirResponses.Resource(e.ToOperationOutcome(), StatusCodes.Status400BadRequest));
        }
        catch (JsonException)
        {
            return (null, FhirResponses.Invalid("resourceType", "The body is not FHIR JSON."));
        }
    }

    private sealed record ActorIds(Guid? Patient, Guid? Practitioner, Guid? Location);

    /// <summary>The participants' actors; null when there is anything beside one patient, one practitioner and one location.</summary>
    private static ActorIds? Actors(Appointment appointment)
    {
        Guid? patient = null, practitioner = null, location = null;
        foreach (var participant in appointment.Participant)
        {
            var parts = (participant.Actor?.Reference ?? "").Split('/');
            if (parts.Length < 2 || !Guid.TryParse(parts[^1], out var id))
            {
                return null;
            }

            switch (parts[^2])
            {
                case "Patient" when patient is null:
                    patient = id;
                    break;
                case "Practitioner" when practitioner is null:
                    practitioner = id;
                    break;
                case "Location" when location is null:
                    location = id;
                    break;
                default:
                    return null;
            }
        }

        return new ActorIds(patient, practitioner, location);
    }

    /// <summary>The native visit type: a coding of the appointment-type system in appointmentType, else in serviceType.</summary>
    private static Guid? VisitTypeOf(Appointment appointment) =>
        (appointment.AppointmentType?.Coding ?? []).Concat(appointment.ServiceType.SelectMany(s => s.Coding))
            .Where(c => c.System == SlotResources.AppointmentTypeSystem)
            .Select(c => Guid.TryParse(c.Code, out var id) ? id : (Guid?)null)
            .FirstOrDefault(id => id is not null);

    /// <summary>Whether the update changes nothing but the status (and the reason): the start and the actors stay.</summary>
    private static bool KeepsAllButStatus(Appointment appointment, AppointmentEntity current)
    {
        if (appointment.Start is { } start && start != current.StartsAt)
        {
            return false;
        }

        return appointment.Participant.Count == 0 || Actors(appointment) is { } actors &&
            actors.Patient == current.PatientId && actors.Practitioner == current.PractitionerId && (actors.Location is null || actors.Location == current.LocationId);
    }

    private static bool MatchesVersion(string ifMatch, uint version)
    {
        var tag = ifMatch.Trim();
        tag = tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;
        return tag.Trim('"') == version.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string ElementOf(string field) => field switch
    {
        "startsAt" => "Appointment.start",
        "appointmentTypeId" => "Appointment.appointmentType",
        _ => "Appointment.participant",
    };

    /// <summary>A native refusal as an OperationOutcome with the same status.</summary>
    private static IResult FromProblem(ProblemHttpResult problem) => FhirResponses.Outcome(
        problem.StatusCode,
        string.Join(" ", new[] { problem.ProblemDetails.Title, problem.ProblemDetails.Detail }.Where(t => !string.IsNullOrWhiteSpace(t))));
}
