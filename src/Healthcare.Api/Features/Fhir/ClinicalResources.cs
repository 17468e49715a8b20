using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Healthcare.Core.Fhir;
using Healthcare.Core.Records;
using Healthcare.Core.Security;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Fhir;

/// <summary>Encounter: read, and search by <c>patient</c>, <c>date</c> (when it started) and <c>status</c>.</summary>
public static class EncounterResources
{
    public const string Type = "Encounter";
    public static readonly string[] SearchParameters = ["patient", "date", "status"];

    internal static readonly RecordView<Encounter> View = new(null, e => e.ToFhir());

    public static Task<IResult> Read(string id, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken) =>
        RecordResources.ReadAsync(Type, id, access, db, audit, View, cancellationToken);

    public static Task<IResult> Search(HttpContext http, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken) =>
        RecordResources.SearchAsync(Type, SearchParameters, http, access, db, audit, View, Filter, cancellationToken);

    private static IResult? Filter(IQueryCollection parameters, ref IQueryable<Encounter> query)
    {
        foreach (var value in parameters["date"].Select(v => v ?? ""))
        {
            if (!FhirSearch.TryParseDate(value, out var prefix, out var from, out var to))
            {
                return FhirResponses.Invalid("date", "date takes a date or an instant, optionally with the prefix eq, ge, gt, le or lt.");
            }

            query = prefix switch
            {
                "ge" => query.Where(e => e.StartedAt >= from),
                "gt" => query.Where(e => e.StartedAt >= to),
                "le" => query.Where(e => e.StartedAt < to),
                "lt" => query.Where(e => e.StartedAt < from),
                _ => query.Where(e => e.StartedAt >= from && e.StartedAt < to),
            };
        }

        foreach (var statuses in RecordResources.NativeTokens(parameters, "status", "http://hl7.org/fhir/encounter-status", Native))
        {
            query = query.Where(e => statuses.Contains(e.Status));
        }

        return null;
    }

    private static IEnumerable<string> Native(string fhirStatus) =>
        EncounterStatus.All.Where(s => s.Replace('_', '-') == fhirStatus);
}

/// <summary>AllergyIntolerance: read, and search by <c>patient</c> and <c>clinical-status</c>.</summary>
public static class AllergyIntoleranceResources
{
    public const string Type = "AllergyIntolerance";
    public static readonly string[] SearchParameters = ["patient", "clinical-status"];

    // A patient does not see entries in error, as in the native API.
    internal static readonly RecordView<Allergy> View = new(clinics => a => clinics.Contains(a.ClinicId) || a.Status != AllergyStatus.EnteredInError, a => a.ToFhir());

    public static Task<IResult> Read(string id, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken) =>
        RecordResources.ReadAsync(Type, id, access, db, audit, View, cancellationToken);

    public static Task<IResult> Search(HttpContext http, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken) =>
        RecordResources.SearchAsync(Type, SearchParameters, http, access, db, audit, View, Filter, cancellationToken);

    private static IResult? Filter(IQueryCollection parameters, ref IQueryable<Allergy> query)
    {
        foreach (var statuses in RecordResources.NativeTokens(parameters, "clinical-status", ClinicalMapping.AllergyClinical, Native))
        {
            query = query.Where(a => statuses.Contains(a.Status));
        }

        return null;
    }

    private static IEnumerable<string> Native(string clinicalStatus) =>
        AllergyStatus.All.Where(s => s == clinicalStatus && s != AllergyStatus.EnteredInError);
}

/// <summary>Condition: the problem list, read, and searched by <c>patient</c>, <c>clinical-status</c> and <c>category</c>.</summary>
public static class ConditionResources
{
    public const string Type = "Condition";
    public static readonly string[] SearchParameters = ["patient", "clinical-status", "category"];

    internal static readonly RecordView<ProblemListItem> View = new(clinics => p => clinics.Contains(p.ClinicId) || p.Status != ProblemStatus.EnteredInError, p => p.ToFhir());

    public static Task<IResult> Read(string id, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken) =>
        RecordResources.ReadAsync(Type, id, access, db, audit, View, cancellationToken);

    public static Task<IResult> Search(HttpContext http, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken) =>
        RecordResources.SearchAsync(Type, SearchParameters, http, access, db, audit, View, Filter, cancellationToken);

    private static IResult? Filter(IQueryCollection parameters, ref IQueryable<ProblemListItem> query)
    {
        foreach (var statuses in RecordResources.NativeTokens(parameters, "clinical-status", ClinicalMapping.ConditionClinical, Native))
        {
            query = query.Where(p => statuses.Contains(p.Status));
        }

        // Every Condition here is a problem-list item: another category matches nothing.
        foreach (var categories in RecordResources.NativeTokens(
            parameters, "category", ClinicalMapping.ConditionCategory, c => c == ClinicalMapping.ProblemListItem ? [c] : []))
        {
            if (categories.Count == 0)
            {
                query = query.Where(_ => false);
            }
        }

        return null;
    }

    private static IEnumerable<string> Native(string clinicalStatus) =>
        ProblemStatus.All.Where(s => s == clinicalStatus && s != ProblemStatus.EnteredInError);
}

/// <summary>MedicationStatement: the prescriptions, read, and searched by <c>patient</c> and <c>status</c>.</summary>
public static class MedicationStatementResources
{
    public const string Type = "MedicationStatement";
    public static readonly string[] SearchParameters = ["patient", "status"];

    internal static readonly RecordView<Medication> View = new(clinics => m => clinics.Contains(m.ClinicId) || m.Status != MedicationStatus.EnteredInError, m => m.ToFhir());

    public static Task<IResult> Read(string id, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken) =>
        RecordResources.ReadAsync(Type, id, access, db, audit, View, cancellationToken);

    public static Task<IResult> Search(HttpContext http, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken) =>
        RecordResources.SearchAsync(Type, SearchParameters, http, access, db, audit, View, Filter, cancellationToken);

    private static IResult? Filter(IQueryCollection parameters, ref IQueryable<Medication> query)
    {
        foreach (var statuses in RecordResources.NativeTokens(parameters, "status", "http://hl7.org/fhir/CodeSystem/medication-statement-status", Native))
        {
            query = query.Where(m => statuses.Contains(m.Status));
        }

        return null;
    }

    private static IEnumerable<string> Native(string fhirStatus) => MedicationStatus.All.Where(s => s.Replace('_', '-') == fhirStatus);
}

/// <summary>
/// DocumentReference: the clinical notes with their amendments, the body a plain-text attachment; read, and search
/// by <c>patient</c>. A patient sees only notes signed and released to them, as in the native API.
/// </summary>
public static class DocumentReferenceResources
{
    public const string Type = "DocumentReference";
    public static readonly string[] SearchParameters = ["patient"];

    public static Task<IResult> Read(
        string id, FhirAccess access, HealthcareDbContext db, Auditor audit, FieldEncryption encryption, CancellationToken cancellationToken) =>
        RecordResources.ReadAsync(Type, id, access, db, audit, View(encryption), cancellationToken);

    public static Task<IResult> Search(
        HttpContext http, FhirAccess access, HealthcareDbContext db, Auditor audit, FieldEncryption encryption, CancellationToken cancellationToken) =>
        RecordResources.SearchAsync(Type, SearchParameters, http, access, db, audit, View(encryption), NoFilter, cancellationToken);

    internal static RecordView<ClinicalNote> View(FieldEncryption encryption) => new(
        clinics => n => clinics.Contains(n.ClinicId) || (n.SignedAt != null && n.Released),
        notes => notes.Include(n => n.Amendments).AsSplitQuery(),
        n => n.ToFhir(encryption));

    private static IResult? NoFilter(IQueryCollection parameters, ref IQueryable<ClinicalNote> query) => null;
}
