using Healthcare.Api.Features.Scheduling;
using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Healthcare.Core.Fhir;
using Healthcare.Core.Identity;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using AppointmentEntity = Healthcare.Core.Scheduling.Appointment;

namespace Healthcare.Api.Features.Fhir;

/// <summary>
/// Appointment: read (the native hot path's prepared statement, then the clinic checked against the caller's
/// reach) and search by <c>patient</c>, <c>practitioner</c>/<c>actor</c>, <c>date</c>, <c>status</c>, with
/// <c>_include=Appointment:patient</c>.
/// </summary>
public static class AppointmentResources
{
    public const string Type = "Appointment";
    public const string IncludePatient = "Appointment:patient";
    public static readonly string[] SearchParameters = ["_id", "patient", "practitioner", "actor", "date", "status", "_include"];

    public static async Task<IResult> Read(string id, FhirAccess access, NpgsqlDataSource database, Auditor audit, CancellationToken cancellationToken)
    {
        var reach = await access.ReachAsync(Type, 'r', Permissions.AppointmentsRead, cancellationToken);
        if (reach.IsScopeMissing)
        {
            return Reach.ScopeRefusal(Type, 'r');
        }

        if (!Guid.TryParse(id, out var appointmentId) ||
            await AppointmentById.ReadAsync(database, appointmentId, cancellationToken) is not { } appointment ||
            !reach.Reaches(appointment.Utc.ClinicId, appointment.Utc.PatientId))
        {
            return FhirResponses.NotFound(Type);
        }

        reach.Audit(audit, appointment.Utc.ClinicId, appointment.Utc.PatientId);
        return FhirResponses.Resource(appointment.ToFhir());
    }

    /// <summary>The appointment read by the native hot path, as FHIR.</summary>
    public static Appointment ToFhir(this AppointmentById a) => new AppointmentFields(
        a.Utc.Id, a.Utc.PatientId, a.Utc.PractitionerId, a.Utc.AppointmentTypeId, a.Utc.LocationId, a.Utc.Mode, a.Utc.Status, a.Utc.StartsAt,
        a.Utc.EndsAt, a.Utc.CancellationReason, a.Utc.CreatedAt, a.Version, a.UpdatedAt).ToFhir();

    public static async Task<IResult> Search(HttpContext http, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken)
    {
        if (FhirSearch.Check(http, SearchParameters, out var count) is { } invalid)
        {
            return invalid;
        }

        var reach = await access.ReachAsync(Type, 's', Permissions.AppointmentsRead, cancellationToken);
        if (reach.IsScopeMissing)
        {
            return Reach.ScopeRefusal(Type, 's');
        }

        var query = Within(db.Appointments.AsNoTracking(), reach);
        var parameters = http.Request.Query;
        var includes = FhirSearch.Values(parameters["_include"]).ToList();
        if (includes.Any(i => i != IncludePatient))
        {
            return FhirResponses.Invalid("_include", $"Only _include={IncludePatient} is supported.");
        }

        if (parameters["_id"] is { Count: > 0 } ids)
        {
            var wanted = FhirSearch.Values(ids).Select(v => Guid.TryParse(v, out var g) ? g : Guid.Empty).ToList();
            query = query.Where(a => wanted.Contains(a.Id));
        }

        foreach (var (name, type) in new[] { ("patient", "Patient"), ("practitioner", "Practitioner") })
        {
            foreach (var value in parameters[name].Select(v => v ?? ""))
            {
                if (!FhirSearch.TryReference(value, type, out var target))
                {
                    return FhirResponses.Invalid(name, $"{name} takes a reference: {type}/{{id}} or the id.");
                }

                query = type == "Patient" ? query.Where(a => a.PatientId == target) : query.Where(a => a.PractitionerId == target);
            }
        }

        foreach (var value in parameters["actor"].Select(v => v ?? ""))
        {
            if (FhirSearch.TryReference(value, "Patient", out var patient))
            {
                query = query.Where(a => a.PatientId == patient);
            }
            else if (FhirSearch.TryReference(value, "Practitioner", out var practitioner))
            {
                query = query.Where(a => a.PractitionerId == practitioner);
            }
            else if (FhirSearch.TryReference(value, "Location", out var location))
            {
                query = query.Where(a => a.LocationId == location);
            }
            else
            {
                return FhirResponses.Invalid("actor", "actor takes Patient/{id}, Practitioner/{id} or Location/{id}.");
            }
        }

        foreach (var value in parameters["date"].Select(v => v ?? ""))
        {
            if (!FhirSearch.TryParseDate(value, out var prefix, out var from, out var to))
            {
                return FhirResponses.Invalid("date", "date takes a date or an instant, optionally with the prefix eq, ge, gt, le or lt.");
            }

            query = prefix switch
            {
                "ge" => query.Where(a => a.StartsAt >= from),
                "gt" => query.Where(a => a.StartsAt >= to),
                "le" => query.Where(a => a.StartsAt < to),
                "lt" => query.Where(a => a.StartsAt < from),
                _ => query.Where(a => a.StartsAt >= from && a.StartsAt < to),
            };
        }

        if (parameters["status"] is { Count: > 0 } statuses)
        {
            var native = FhirSearch.Values(statuses).SelectMany(FhirMapping.NativeStatusesOf).ToList();
            query = query.Where(a => native.Contains(a.Status));
        }

        if (FhirSearch.After(http) is { } after)
        {
            query = query.Where(a => a.Id.CompareTo(after) > 0);
        }

        var matches = await query.OrderBy(a => a.Id).Take(count + 1).ToListAsync(cancellationToken);
        var shown = matches.Take(count).ToList();
        var included = new List<Resource>();
        if (includes.Count > 0)
        {
            var patientIds = shown.Select(a => a.PatientId).Distinct().ToList();
            included.AddRange((await db.Patients.AsNoTracking().Where(p => patientIds.Contains(p.Id)).ToListAsync(cancellationToken)).Select(p => p.ToFhir()));
        }

        var page = FhirSearch.Page(http, matches, count, a => a.Id, a => a.ToFhir(), included);
        await audit.WritePatientReadsAsync(Type, shown.Select(a => (a.ClinicId, a.PatientId)), reach.RoleIn, cancellationToken);
        return FhirResponses.Resource(page);
    }

    private static IQueryable<AppointmentEntity> Within(IQueryable<AppointmentEntity> appointments, Reach reach)
    {
        if (reach.AllClinics)
        {
            return appointments;
        }

        var clinics = reach.Clinics.Keys.ToList();
        var own = reach.OwnPatients.Keys.ToList();
        return appointments.Where(a => clinics.Contains(a.ClinicId) || own.Contains(a.PatientId));
    }
}
