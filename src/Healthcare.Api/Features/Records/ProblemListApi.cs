using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Identity;
using Healthcare.Core.Records;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Records;

/// <summary>A patient's problem list: conditions, optionally coded in ICD-10, active or resolved.</summary>
public static class ProblemListApi
{
    private const string ProblemResource = "Problem";

    internal static void MapProblemList(this RouteGroupBuilder records)
    {
        records.MapPost("/problems", CreateProblem)
            .ReturnsETag()
            .RequirePermission(Permissions.RecordsWrite)
            .Audited(AuditActions.Create, ProblemResource)
            .WithName("CreateProblem")
            .WithSummary("Add to the problem list: the condition, optionally its ICD-10 code (E11.9), status active or resolved.")
            .ProducesValidationProblem();
        records.MapGet("/problems", ListProblems)
            .RequirePermission(Permissions.RecordsRead)
            .Audited(AuditActions.Read, ProblemResource)
            .WithName("ListProblems")
            .WithSummary("The patient's problem list, newest first; filter status; keyset paginated.")
            .ProducesValidationProblem();
        records.MapGet("/problems/{id:guid}", GetProblem)
            .ReturnsETag()
            .RequirePermission(Permissions.RecordsRead)
            .Audited(AuditActions.Read, ProblemResource)
            .WithName("GetProblem")
            .WithSummary("One problem-list entry; the ETag is the version to send as If-Match when updating.");
        records.MapPut("/problems/{id:guid}", UpdateProblem)
            .RequirePermission(Permissions.RecordsWrite)
            .Audited(AuditActions.Update, ProblemResource)
            .WithName("UpdateProblem")
            .WithSummary("Replace a problem-list entry, e.g. to resolve it. Needs If-Match (428 without, 412 when stale).")
            .ProducesValidationProblem()
            .RequiresIfMatch();
    }

    private static async Task<Results<Created<ProblemDto>, NotFound, ValidationProblem>> CreateProblem([AsParameters] PatientScope scope, ProblemRequest request)
    {
        var now = scope.Clock.GetUtcNow();
        var patient = scope.Patient();

        if (request.Validate(patient.Today(now), ProblemStatus.Active) is { } invalid)
        {
            return invalid;
        }

        var problem = new ProblemListItem
        {
            ClinicId = scope.ClinicId,
            PatientId = scope.PatientId,
            Condition = "",
            RecordedByUserId = scope.Caller.Id,
            CreatedAt = now,
        };
        request.ApplyTo(problem, now);
        scope.Db.ProblemListItems.Add(problem);
        await scope.Db.SaveChangesAsync(scope.CancellationToken);
        scope.Audit.ResourceId = problem.Id.ToString();
        scope.Http.SetETag(problem.Version);
        return TypedResults.Created($"{scope.Base}/problems/{problem.Id}", problem.ToDto());
    }

    private static async Task<Results<Ok<Page<ProblemDto>>, NotFound, ValidationProblem>> ListProblems(
        [AsParameters] PatientScope scope, string? status, int? limit, string? cursor)
    {
        if (RecordQueries.ReadPage(scope.Http, RecordEndpoints.StatusFilter, limit, cursor, out var page) is { } invalid)
        {
            return invalid;
        }

        if (RecordEndpoints.UnknownStatus(status, ProblemStatus.All) is { } unknown)
        {
            return unknown;
        }

        var query = scope.Records<ProblemListItem>().AsNoTracking();
        if (status is not null)
        {
            query = query.Where(p => p.Status == status);
        }

        var (rows, next) = await RecordQueries.NewestFirstAsync(query, page, scope.Http, scope.CancellationToken);
        return TypedResults.Ok(new Page<ProblemDto>(rows.Select(p => p.ToDto()).ToList(), next));
    }

    private static Task<Results<Ok<ProblemDto>, NotFound>> GetProblem([AsParameters] PatientScope scope, Guid id) =>
        RecordEndpoints.GetAsync<ProblemListItem, ProblemDto>(scope, id, p => p.Version, p => Task.FromResult(p.ToDto()));

    private static Task<Results<Ok<ProblemDto>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateProblem(
        [AsParameters] PatientScope scope, Guid id, ProblemRequest request) =>
        RecordEndpoints.ReplaceAsync<ProblemListItem, ProblemDto>(scope, id, "problem", p => p.Version, (problem, patient, now) =>
        {
            if (request.Validate(patient.Today(now), problem.Status) is { } invalid)
            {
                return invalid;
            }

            request.ApplyTo(problem, now);
            return null;
        }, p => Task.FromResult(p.ToDto()));
}
