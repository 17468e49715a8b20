using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Identity;
using Healthcare.Core.Records;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Records;

/// <summary>A patient's prescriptions, written and changed by doctors.</summary>
public static class MedicationsApi
{
    private const string MedicationResource = "Medication";

    internal static void MapMedications(this RouteGroupBuilder records)
    {
        records.MapPost("/medications", Prescribe)
            .ReturnsETag()
            .RequirePermission(Permissions.RecordsPrescribe)
            .Audited(AuditActions.Create, MedicationResource)
            .WithName("PrescribeMedication")
            .WithSummary("Prescribe: drug, dose, route, frequency, start and end; doctors only. The caller is the prescriber.")
            .ProducesValidationProblem();
        records.MapGet("/medications", ListMedications)
            .RequirePermission(Permissions.RecordsRead)
            .Audited(AuditActions.Read, MedicationResource)
            .WithName("ListMedications")
            .WithSummary("The patient's prescriptions, newest first; filter status; keyset paginated.")
            .ProducesValidationProblem();
        records.MapGet("/medications/{id:guid}", GetMedication)
            .ReturnsETag()
            .RequirePermission(Permissions.RecordsRead)
            .Audited(AuditActions.Read, MedicationResource)
            .WithName("GetMedication")
            .WithSummary("One prescription; the ETag is the version to send as If-Match when updating.");
        records.MapPut("/medications/{id:guid}", UpdateMedication)
            .RequirePermission(Permissions.RecordsPrescribe)
            .Audited(AuditActions.Update, MedicationResource)
            .WithName("UpdateMedication")
            .WithSummary("Change or stop a prescription; doctors only. Needs If-Match (428 without, 412 when stale).")
            .ProducesValidationProblem()
            .RequiresIfMatch();
    }

    private static async Task<Results<Created<MedicationDto>, NotFound, ValidationProblem>> Prescribe([AsParameters] PatientScope scope, MedicationRequest request)
    {
        var now = scope.Clock.GetUtcNow();
        var patient = scope.Patient();

        if (request.Validate() is { } invalid)
        {
            return invalid;
        }

        if (!await RecordEndpoints.HasEncounterAsync(scope, request.EncounterId))
        {
            return RecordEndpoints.UnknownEncounter();
        }

        var today = patient.Today(now);
        if (request.StartDate is null && request.EndDate < today)
        {
            return Problems.Field("endDate", "The end date cannot be before the start date (today).");
        }

        var medication = new Medication
        {
            ClinicId = scope.ClinicId,
            PatientId = scope.PatientId,
            Drug = "",
            Dose = "",
            Route = "",
            Frequency = "",
            PrescriberUserId = scope.Caller.Id,
            CreatedAt = now,
        };
        request.ApplyTo(medication, today, now);
        scope.Db.Medications.Add(medication);
        await scope.Db.SaveChangesAsync(scope.CancellationToken);
        scope.Audit.ResourceId = medication.Id.ToString();
        scope.Http.SetETag(medication.Version);
        return TypedResults.Created($"{scope.Base}/medications/{medication.Id}", await MedicationDtoAsync(scope, medication));
    }

    private static async Task<Results<Ok<Page<MedicationDto>>, NotFound, ValidationProblem>> ListMedications(
        [AsParameters] PatientScope scope, string? status, int? limit, string? cursor)
    {
        if (RecordQueries.ReadPage(scope.Http, RecordEndpoints.StatusFilter, limit, cursor, out var page) is { } invalid)
        {
            return invalid;
        }

        if (RecordEndpoints.UnknownStatus(status, MedicationStatus.All) is { } unknown)
        {
            return unknown;
        }

        var query = scope.Records<Medication>().AsNoTracking();
        if (status is not null)
        {
            query = query.Where(m => m.Status == status);
        }

        var (rows, next) = await RecordQueries.NewestFirstAsync(query, page, scope.Http, scope.CancellationToken);
        return TypedResults.Ok(new Page<MedicationDto>(await RecordQueries.MedicationDtosAsync(scope.Db, rows, scope.CancellationToken), next));
    }

    private static Task<Results<Ok<MedicationDto>, NotFound>> GetMedication([AsParameters] PatientScope scope, Guid id) =>
        RecordEndpoints.GetAsync<Medication, MedicationDto>(scope, id, m => m.Version, m => MedicationDtoAsync(scope, m));

    private static Task<Results<Ok<MedicationDto>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateMedication(
        [AsParameters] PatientScope scope, Guid id, MedicationRequest request) =>
        RecordEndpoints.ReplaceAsync<Medication, MedicationDto>(scope, id, "medication", m => m.Version, (medication, _, now) =>
        {
            if (request.Validate() is { } invalid)
            {
                return invalid;
            }

            if (request.StartDate is null && request.EndDate < medication.StartDate)
            {
                return Problems.Field("endDate", "The end date cannot be before the start date.");
            }

            request.ApplyTo(medication, medication.StartDate, now);
            return null;
        }, m => MedicationDtoAsync(scope, m), request.EncounterId);

    private static async Task<MedicationDto> MedicationDtoAsync(PatientScope scope, Medication medication) =>
        (await RecordQueries.MedicationDtosAsync(scope.Db, [medication], scope.CancellationToken))[0];
}
