using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Healthcare.Core.Fhir;
using Healthcare.Core.Identity;
using Microsoft.EntityFrameworkCore;
using PatientEntity = Healthcare.Core.Patients.Patient;

namespace Healthcare.Api.Features.Fhir;

/// <summary>Patient: read and search (US Core's <c>_id</c>, <c>name</c>, <c>birthdate</c>, <c>gender</c>).</summary>
public static class PatientResources
{
    public const string Type = "Patient";
    public static readonly string[] SearchParameters = ["_id", "identifier", "name", "birthdate", "gender"];

    public static async Task<IResult> Read(string id, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken)
    {
        var reach = await access.ReachAsync(Type, 'r', Permissions.PatientsRead, cancellationToken);
        if (reach.IsScopeMissing)
        {
            return Reach.ScopeRefusal(Type, 'r');
        }

        if (!Guid.TryParse(id, out var patientId))
        {
            return FhirResponses.NotFound(Type);
        }

        audit.PatientId = patientId;
        var patient = await db.Patients.AsNoTracking().SingleOrDefaultAsync(p => p.Id == patientId, cancellationToken);
        if (patient is null || !reach.Reaches(patient.ClinicId, patient.Id))
        {
            return FhirResponses.NotFound(Type);
        }

        reach.Audit(audit, patient.ClinicId, patient.Id);
        return FhirResponses.Resource(patient.ToFhir());
    }

    public static async Task<IResult> Search(HttpContext http, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken)
    {
        if (FhirSearch.Check(http, SearchParameters, out var count) is { } invalid)
        {
            return invalid;
        }

        var reach = await access.ReachAsync(Type, 's', Permissions.PatientsRead, cancellationToken);
        if (reach.IsScopeMissing)
        {
            return Reach.ScopeRefusal(Type, 's');
        }

        var query = Within(db.Patients.AsNoTracking(), reach);
        var parameters = http.Request.Query;
        if (parameters["_id"] is { Count: > 0 } ids)
        {
            var wanted = FhirSearch.Values(ids).Select(v => Guid.TryParse(v, out var g) ? g : Guid.Empty).ToList();
            query = query.Where(p => wanted.Contains(p.Id));
        }

        foreach (var value in parameters["identifier"].Select(v => v ?? ""))
        {
            // system|value or value; only the record number is an identifier of this server's patients.
            var bar = value.IndexOf('|', StringComparison.Ordinal);
            var system = bar < 0 ? FhirMapping.RecordNumberSystem : value[..bar];
            var number = Guid.TryParse(bar < 0 ? value : value[(bar + 1)..], out var id) && system == FhirMapping.RecordNumberSystem ? id : Guid.Empty;
            query = query.Where(p => p.Id == number);
        }

        foreach (var name in FhirSearch.Values(parameters["name"]))
        {
            var prefix = PatientEntity.NormalizeName(name);
            var inside = " " + prefix;
            query = query.Where(p => p.SearchName.StartsWith(prefix) || p.SearchName.Contains(inside));
        }

        foreach (var value in parameters["birthdate"].Select(v => v ?? ""))
        {
            if (!FhirSearch.TryParseDate(value, out var prefix, out var from, out _) || prefix != "eq" || value.Contains('T'))
            {
                return FhirResponses.Invalid("birthdate", "birthdate takes a date (YYYY-MM-DD), optionally with the prefix eq.");
            }

            var day = DateOnly.FromDateTime(from.UtcDateTime);
            query = query.Where(p => p.DateOfBirth == day);
        }

        if (parameters["gender"] is { Count: > 0 } genders)
        {
            var sexes = FhirSearch.Values(genders).Select(g => g == "other" ? "intersex" : g).ToList();
            query = query.Where(p => sexes.Contains(p.Sex));
        }

        if (FhirSearch.After(http) is { } after)
        {
            query = query.Where(p => p.Id.CompareTo(after) > 0);
        }

        var matches = await query.OrderBy(p => p.Id).Take(count + 1).ToListAsync(cancellationToken);
        var page = FhirSearch.Page(http, matches, count, p => p.Id, p => p.ToFhir());
        await audit.WritePatientReadsAsync(Type, matches.Take(count).Select(p => (p.ClinicId, p.Id)), reach.RoleIn, cancellationToken);
        return FhirResponses.Resource(page);
    }

    /// <summary>The patients within reach: those of the clinics reached, and the caller's own records.</summary>
    public static IQueryable<PatientEntity> Within(IQueryable<PatientEntity> patients, Reach reach)
    {
        if (reach.AllClinics)
        {
            return patients;
        }

        var clinics = reach.Clinics.Keys.ToList();
        var own = reach.OwnPatients.Keys.ToList();
        return patients.Where(p => clinics.Contains(p.ClinicId) || own.Contains(p.Id));
    }
}
