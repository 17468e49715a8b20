using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Healthcare.Core.Records;
using Healthcare.Core.Security;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using NodaTime.Extensions;

namespace Healthcare.Api.Features.Records;

/// <summary>
/// What a clinician's records endpoint binds: the clinic and patient from its route, and the services it uses.
/// Every query goes through <see cref="Records{T}"/>, scoped to both, so another clinic's record is not found.
/// Services are marked as such, so that request validation does not walk into them.
/// </summary>
public readonly record struct PatientScope(
    Guid ClinicId,
    Guid PatientId,
    [FromServices] HealthcareDbContext Db,
    [FromServices] Auditor Audit,
    [FromServices] CurrentUser Caller,
    [FromServices] TimeProvider Clock,
    [FromServices] FieldEncryption Encryption,
    HttpContext Http,
    CancellationToken CancellationToken)
{
    /// <summary>
    /// The route's patient, found by the records group's filter before the handler runs. A method, not a property,
    /// so that request validation does not read it.
    /// </summary>
    public ScopedPatient Patient() => RoutePatient.Of(Http);

    /// <summary>Where the patient's records live, for Location headers.</summary>
    public string Base => $"/api/v1/clinics/{ClinicId}/patients/{PatientId}";

    /// <summary>The patient's rows of one kind, in this clinic.</summary>
    public IQueryable<T> Records<T>()
        where T : class, IPatientRecord
    {
        var (clinicId, patientId) = (ClinicId, PatientId);
        return Db.Set<T>().Where(r => r.PatientId == patientId && r.ClinicId == clinicId);
    }

    /// <summary>The route's patient, when they are a patient of the route's clinic. The audit row names them either way.</summary>
    public static Task<ScopedPatient?> FindAsync(HttpContext http)
    {
        var clinicId = Guid.Parse((string)http.GetRouteValue("clinicId")!);
        var patientId = Guid.Parse((string)http.GetRouteValue("patientId")!);
        http.RequestServices.GetRequiredService<Auditor>().PatientId = patientId;
        var db = http.RequestServices.GetRequiredService<HealthcareDbContext>();
        return RecordQueries.FindPatientAsync(db, p => p.Id == patientId && p.ClinicId == clinicId, http.RequestAborted);
    }
}

/// <summary>A patient found within the caller's reach, with their clinic's time zone for "today".</summary>
public sealed record ScopedPatient(Guid Id, Guid ClinicId, string TimeZone)
{
    public DateOnly Today(DateTimeOffset now)
    {
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(TimeZone) ?? DateTimeZone.Utc;
        return now.ToInstant().InZone(zone).Date.ToDateOnly();
    }
}

/// <summary>
/// The patient a records route names, looked up once per request by a filter on the route group: a patient out of
/// the caller's reach is a 404 before any handler runs, and the handlers read the patient found. Handlers keep
/// <c>NotFound</c> in their result types, so the API description still lists the 404 that the filter answers.
/// The filter runs inside the endpoint's audit filter, so the refusal is audited like any other answer.
/// </summary>
public static class RoutePatient
{
    private static readonly object Key = new();

    /// <summary>Answers 404 unless <paramref name="find"/> finds the route's patient; otherwise hands it to the handler.</summary>
    public static RouteGroupBuilder RequirePatient(this RouteGroupBuilder group, Func<HttpContext, Task<ScopedPatient?>> find) =>
        group.AddEndpointFilter(async (context, next) =>
        {
            if (await find(context.HttpContext) is not { } patient)
            {
                return TypedResults.NotFound();
            }

            context.HttpContext.Items[Key] = patient;
            return await next(context);
        });

    /// <summary>The patient that the group's filter found for this request.</summary>
    public static ScopedPatient Of(HttpContext http) =>
        http.Items[Key] as ScopedPatient ?? throw new InvalidOperationException("The endpoint is not in a group that requires a patient.");
}
