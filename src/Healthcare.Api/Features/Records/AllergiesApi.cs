using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Identity;
using Healthcare.Core.Records;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Records;

/// <summary>A patient's allergies and intolerances; a mistake is marked entered in error, never deleted.</summary>
public static class AllergiesApi
{
    private const string AllergyResource = "Allergy";

    internal static void MapAllergies(this RouteGroupBuilder records)
    {
        records.MapPost("/allergies", CreateAllergy)
            .ReturnsETag()
            .RequirePermission(Permissions.RecordsWrite)
            .Audited(AuditActions.Create, AllergyResource)
            .WithName("CreateAllergy")
            .WithSummary("Record an allergy or intolerance: substance, reaction, severity, status.")
            .ProducesValidationProblem();
        records.MapGet("/allergies", ListAllergies)
            .RequirePermission(Permissions.RecordsRead)
            .Audited(AuditActions.Read, AllergyResource)
            .WithName("ListAllergies")
            .WithSummary("The patient's allergies, newest first; filter status; keyset paginated.")
            .ProducesValidationProblem();
        records.MapGet("/allergies/{id:guid}", GetAllergy)
            .ReturnsETag()
            .RequirePermission(Permissions.RecordsRead)
            .Audited(AuditActions.Read, AllergyResource)
            .WithName("GetAllergy")
            .WithSummary("One allergy; the ETag is the version to send as If-Match when updating.");
        records.MapPut("/allergies/{id:guid}", UpdateAllergy)
            .RequirePermission(Permissions.RecordsWrite)
            .Audited(AuditActions.Update, AllergyResource)
            .WithName("UpdateAllergy")
            .WithSummary("Replace an allergy (a mistake is marked entered_in_error, never deleted). Needs If-Match (428 without, 412 when stale).")
            .ProducesValidationProblem()
            .RequiresIfMatch();
    }

    private static async Task<Results<Created<AllergyDto>, NotFound, ValidationProblem>> CreateAllergy([AsParameters] PatientScope scope, AllergyRequest request)
    {
        var now = scope.Clock.GetUtcNow();
        var patient = scope.Patient();

        if (request.Validate(patient.Today(now)) is { } invalid)
        {
            return invalid;
        }

        var allergy = new Allergy
        {
            ClinicId = scope.ClinicId,
            PatientId = scope.PatientId,
            Substance = "",
            Severity = "",
            RecordedByUserId = scope.Caller.Id,
            CreatedAt = now,
        };
        request.ApplyTo(allergy, now);
        scope.Db.Allergies.Add(allergy);
        await scope.Db.SaveChangesAsync(scope.CancellationToken);
        scope.Audit.ResourceId = allergy.Id.ToString();
        scope.Http.SetETag(allergy.Version);
        return TypedResults.Created($"{scope.Base}/allergies/{allergy.Id}", allergy.ToDto());
    }

    private static async Task<Results<Ok<Page<AllergyDto>>, NotFound, ValidationProblem>> ListAllergies(
        [AsParameters] PatientScope scope, string? status, int? limit, string? cursor)
    {
        if (RecordQueries.ReadPage(scope.Http, RecordEndpoints.StatusFilter, limit, cursor, out var page) is { } invalid)
        {
            return invalid;
        }

        if (RecordEndpoints.UnknownStatus(status, AllergyStatus.All) is { } unknown)
        {
            return unknown;
        }

        var query = scope.Records<Allergy>().AsNoTracking();
        if (status is not null)
        {
            query = query.Where(a => a.Status == status);
        }

        var (rows, next) = await RecordQueries.NewestFirstAsync(query, page, scope.Http, scope.CancellationToken);
        return TypedResults.Ok(new Page<AllergyDto>(rows.Select(a => a.ToDto()).ToList(), next));
    }

    private static Task<Results<Ok<AllergyDto>, NotFound>> GetAllergy([AsParameters] PatientScope scope, Guid id) =>
        RecordEndpoints.GetAsync<Allergy, AllergyDto>(scope, id, a => a.Version, a => Task.FromResult(a.ToDto()));

    private static Task<Results<Ok<AllergyDto>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateAllergy(
        [AsParameters] PatientScope scope, Guid id, AllergyRequest request) =>
        RecordEndpoints.ReplaceAsync<Allergy, AllergyDto>(scope, id, "allergy", a => a.Version, (allergy, patient, now) =>
        {
            if (request.Validate(patient.Today(now)) is { } invalid)
            {
                return invalid;
            }

            request.ApplyTo(allergy, now);
            return null;
        }, a => Task.FromResult(a.ToDto()));
}
