using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Healthcare.Api.Features.Records;

/// <summary>
/// A patient's clinical record for the clinic's clinicians: encounters, notes with signing and amendments,
/// vital signs, allergies, prescriptions, the problem list and a summary. Every endpoint is audited with the
/// patient's id, and every query is scoped to the route's clinic and patient. The group looks the patient up once
/// per request (<see cref="RoutePatient"/>); each record type maps its own endpoints.
/// </summary>
public static class RecordsApi
{
    public static IEndpointRouteBuilder MapRecordsApi(this IEndpointRouteBuilder endpoints)
    {
        var records = endpoints.MapGroup("/api/v1/clinics/{clinicId:guid}/patients/{patientId:guid}").WithTags("Clinical records")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequirePatient(PatientScope.FindAsync);

        records.MapGet("/summary", Summary)
            .RequirePermission(Permissions.RecordsRead)
            .Audited(AuditActions.Read, "PatientSummary")
            .WithName("GetPatientSummary")
            .WithSummary("Demographics, active problems and allergies, current medications, the latest vital sign of each kind and upcoming appointments.");

        records.MapEncounters();
        records.MapClinicalNotes();
        records.MapVitalSigns();
        records.MapAllergies();
        records.MapMedications();
        records.MapProblemList();
        return endpoints;
    }

    private static async Task<Results<Ok<PatientSummaryDto>, NotFound>> Summary([AsParameters] PatientScope scope) =>
        TypedResults.Ok(await RecordQueries.SummaryAsync(scope.Db, scope.Patient(), scope.Clock.GetUtcNow(), scope.CancellationToken));
}
