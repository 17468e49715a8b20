using System.Linq.Expressions;
using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Records;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Fhir;

/// <summary>
/// What the clinical resources share: the native records permission (<see cref="Permissions.RecordsRead"/>) in the
/// clinics reached and the caller's own compartment, narrowed for a patient to what the native "my records" API
/// shows them; read by id; search by <c>patient</c> plus each type's own filters, paged by id; every patient touched
/// audited.
/// </summary>
public static class RecordResources
{
    /// <summary>Narrows a type's own query by its search parameters; an answer instead when a value is invalid.</summary>
    public delegate IResult? Filter<T>(IQueryCollection parameters, ref IQueryable<T> query);

    /// <summary>One record by id, when the caller reaches it, as FHIR; the access audited with its clinic and patient.</summary>
    public static async Task<IResult> ReadAsync<T>(
        string type, string id, FhirAccess access, HealthcareDbContext db, Auditor audit, RecordView<T> view, CancellationToken cancellationToken)
        where T : class, IPatientRecord
    {
        var reach = await access.ReachAsync(type, 'r', Permissions.RecordsRead, cancellationToken);
        if (reach.IsScopeMissing)
        {
            return Reach.ScopeRefusal(type, 'r');
        }

        if (!Guid.TryParse(id, out var recordId))
        {
            return FhirResponses.NotFound(type);
        }

        var query = view.Shape(Within(db.Set<T>().AsNoTracking(), reach, view.SeenByPatient));
        var record = await query.SingleOrDefaultAsync(r => r.Id == recordId, cancellationToken);
        if (record is null || !reach.Reaches(record.ClinicId, record.PatientId))
        {
            return FhirResponses.NotFound(type);
        }

        reach.Audit(audit, record.ClinicId, record.PatientId);
        return FhirResponses.Resource(view.ToFhir(record));
    }

    /// <summary>
    /// A search of <paramref name="type"/>: the common checks, <c>patient</c>, the type's own <paramref name="filter"/>,
    /// one page in id order, and a read audited for each patient on it.
    /// </summary>
    public static async Task<IResult> SearchAsync<T>(
        string type, IReadOnlyCollection<string> supported, HttpContext http, FhirAccess access, HealthcareDbContext db, Auditor audit,
        RecordView<T> view, Filter<T> filter, CancellationToken cancellationToken)
        where T : class, IPatientRecord
    {
        if (FhirSearch.Check(http, supported, out var count) is { } invalid)
        {
            return invalid;
        }

        var reach = await access.ReachAsync(type, 's', Permissions.RecordsRead, cancellationToken);
        if (reach.IsScopeMissing)
        {
            return Reach.ScopeRefusal(type, 's');
        }

        var query = Within(db.Set<T>().AsNoTracking(), reach, view.SeenByPatient);
        var parameters = http.Request.Query;
        foreach (var value in parameters["patient"].Select(v => v ?? ""))
        {
            if (!FhirSearch.TryReference(value, "Patient", out var patientId))
            {
                return FhirResponses.Invalid("patient", "patient takes a reference: Patient/{id} or the id.");
            }

            query = query.Where(r => r.PatientId == patientId);
        }

        if (filter(parameters, ref query) is { } refused)
        {
            return refused;
        }

        if (FhirSearch.After(http) is { } after)
        {
            query = query.Where(r => r.Id.CompareTo(after) > 0);
        }

        var matches = await view.Shape(query.OrderBy(r => r.Id).Take(count + 1)).ToListAsync(cancellationToken);
        var page = FhirSearch.Page(http, matches, count, r => r.Id, view.ToFhir);
        await audit.WritePatientReadsAsync(type, matches.Take(count).Select(r => (r.ClinicId, r.PatientId)), reach.RoleIn, cancellationToken);
        return FhirResponses.Resource(page);
    }

    /// <summary>
    /// The records within reach: all of the clinics reached, and of the caller's own records those that
    /// <paramref name="seenByPatient"/> lets a patient see (given the clinics reached, which see everything).
    /// </summary>
    public static IQueryable<T> Within<T>(IQueryable<T> records, Reach reach, Func<List<Guid>, Expression<Func<T, bool>>>? seenByPatient)
        where T : class, IPatientRecord
    {
        if (reach.AllClinics)
        {
            return records;
        }

        var clinics = reach.Clinics.Keys.ToList();
        var own = reach.OwnPatients.Keys.ToList();
        records = records.Where(r => clinics.Contains(r.ClinicId) || own.Contains(r.PatientId));
        return seenByPatient is null || own.Count == 0 ? records : records.Where(seenByPatient(clinics));
    }

    /// <summary>
    /// For each occurrence of a token parameter (occurrences AND, comma-separated values OR), the native values it
    /// stands for: <c>code</c> in any system or <c>system|code</c> in <paramref name="system"/>; none matches another system.
    /// </summary>
    public static List<List<string>> NativeTokens(IQueryCollection parameters, string name, string system, Func<string, IEnumerable<string>> native) =>
        parameters[name]
            .Select(v => FhirSearch.Values(v).Select(Token).Where(t => t.System is null || t.System == system).SelectMany(t => native(t.Code)).ToList())
            .ToList();

    // system|code, |code (no system: ""), or code (any system: null).
    private static (string? System, string Code) Token(string value)
    {
        var bar = value.IndexOf('|', StringComparison.Ordinal);
        return bar < 0 ? (null, value) : (value[..bar], value[(bar + 1)..]);
    }
}

/// <summary>
/// How one record type appears in FHIR: what a patient may see of their own records (null: everything), what is
/// loaded with a record, and the mapping.
/// </summary>
public sealed record RecordView<T>(
    Func<List<Guid>, Expression<Func<T, bool>>>? SeenByPatient,
    Func<IQueryable<T>, IQueryable<T>> Shape,
    Func<T, Resource> ToFhir)
{
    public RecordView(Func<List<Guid>, Expression<Func<T, bool>>>? seenByPatient, Func<T, Resource> toFhir)
        : this(seenByPatient, q => q, toFhir)
    {
    }
}
