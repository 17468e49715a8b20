using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Healthcare.Core.Fhir;
using Healthcare.Core.Records;

namespace Healthcare.Api.Features.Fhir;

/// <summary>
/// Observation: the vital signs, read by the measurement's id and searched by <c>patient</c>, <c>category</c>
/// (<c>vital-signs</c>), <c>code</c> (LOINC) and <c>date</c> (when measured).
/// </summary>
public static class ObservationResources
{
    public const string Type = "Observation";
    public static readonly string[] SearchParameters = ["patient", "category", "code", "date"];

    // A patient sees all their vital signs, as in the native API.
    internal static readonly RecordView<VitalSign> View = new(null, v => v.ToFhir());

    public static Task<IResult> Read(string id, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken) =>
        RecordResources.ReadAsync(Type, id, access, db, audit, View, cancellationToken);

    public static Task<IResult> Search(HttpContext http, FhirAccess access, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken) =>
        RecordResources.SearchAsync(Type, SearchParameters, http, access, db, audit, View, Filter, cancellationToken);

    private static IResult? Filter(IQueryCollection parameters, ref IQueryable<VitalSign> query)
    {
        // Every Observation here is a vital sign: another category matches nothing.
        foreach (var categories in RecordResources.NativeTokens(parameters, "category", VitalSignObservations.CategorySystem, c => c == VitalSignObservations.Category ? [c] : []))
        {
            if (categories.Count == 0)
            {
                query = query.Where(_ => false);
            }
        }

        foreach (var kinds in RecordResources.NativeTokens(parameters, "code", ClinicalMapping.Loinc, VitalSignObservations.KindsOf))
        {
            query = query.Where(v => kinds.Contains(v.Kind));
        }

        foreach (var value in parameters["date"].Select(v => v ?? ""))
        {
            if (!FhirSearch.TryParseDate(value, out var prefix, out var from, out var to))
            {
                return FhirResponses.Invalid("date", "date takes a date or an instant, optionally with the prefix eq, ge, gt, le or lt.");
            }

            query = prefix switch
            {
                "ge" => query.Where(v => v.MeasuredAt >= from),
                "gt" => query.Where(v => v.MeasuredAt >= to),
                "le" => query.Where(v => v.MeasuredAt < to),
                "lt" => query.Where(v => v.MeasuredAt < from),
                _ => query.Where(v => v.MeasuredAt >= from && v.MeasuredAt < to),
            };
        }

        return null;
    }
}
