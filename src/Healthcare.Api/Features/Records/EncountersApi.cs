using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Records;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Records;

/// <summary>A patient's encounters: opened for an appointment or without one, then finished or cancelled.</summary>
public static class EncountersApi
{
    private const string EncounterResource = "Encounter";

    internal static void MapEncounters(this RouteGroupBuilder records)
    {
        records.MapPost("/encounters", CreateEncounter)
            .ReturnsETag()
            .RequirePermission(Permissions.RecordsWrite)
            .Audited(AuditActions.Create, EncounterResource)
            .WithName("CreateEncounter")
            .WithSummary("Open an encounter, optionally for one of the patient's appointments (one encounter per appointment; 409 for a second).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        records.MapGet("/encounters", ListEncounters)
            .RequirePermission(Permissions.RecordsRead)
            .Audited(AuditActions.Read, EncounterResource)
            .WithName("ListEncounters")
            .WithSummary("The patient's encounters, newest first; keyset paginated (limit, cursor).")
            .ProducesValidationProblem();
        records.MapGet("/encounters/{id:guid}", GetEncounter)
            .ReturnsETag()
            .RequirePermission(Permissions.RecordsRead)
            .Audited(AuditActions.Read, EncounterResource)
            .WithName("GetEncounter")
            .WithSummary("One encounter; the ETag is the version to send as If-Match when updating.");
        records.MapPut("/encounters/{id:guid}", UpdateEncounter)
            .RequirePermission(Permissions.RecordsWrite)
            .Audited(AuditActions.Update, EncounterResource)
            .WithName("UpdateEncounter")
            .WithSummary("Finish or cancel an encounter, or change its reason. Needs If-Match (428 without, 412 when stale); a closed encounter keeps its status (409).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequiresIfMatch();
    }

    private static async Task<Results<Created<EncounterDto>, NotFound, ValidationProblem, ProblemHttpResult>> CreateEncounter(
        [AsParameters] PatientScope scope, EncounterRequest request)
    {
        var now = scope.Clock.GetUtcNow();
        if (request.Validate(now) is { } invalid)
        {
            return invalid;
        }

        if (request.AppointmentId is { } appointmentId)
        {
            var (clinicId, patientId) = (scope.ClinicId, scope.PatientId);
            if (!await scope.Db.Appointments.AnyAsync(a => a.Id == appointmentId && a.ClinicId == clinicId && a.PatientId == patientId, scope.CancellationToken))
            {
                return Problems.Field("appointmentId", "This patient has no appointment with this id in this clinic.");
            }

            if (await scope.Db.Encounters.AnyAsync(e => e.AppointmentId == appointmentId, scope.CancellationToken))
            {
                return AppointmentHasEncounter();
            }
        }

        var encounter = new Encounter
        {
            ClinicId = scope.ClinicId,
            PatientId = scope.PatientId,
            AppointmentId = request.AppointmentId,
            ClinicianUserId = scope.Caller.Id,
            Reason = RecordEndpoints.Trimmed(request.Reason),
            StartedAt = request.StartedAt ?? now,
            CreatedAt = now,
            UpdatedAt = now,
        };
        scope.Db.Encounters.Add(encounter);
        try
        {
            await scope.Db.SaveChangesAsync(scope.CancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Another request opened the appointment's encounter between our check and our insert.
            return AppointmentHasEncounter();
        }

        scope.Audit.ResourceId = encounter.Id.ToString();
        scope.Http.SetETag(encounter.Version);
        return TypedResults.Created($"{scope.Base}/encounters/{encounter.Id}", await EncounterDtoAsync(scope, encounter));
    }

    private static async Task<Results<Ok<Page<EncounterDto>>, NotFound, ValidationProblem>> ListEncounters(
        [AsParameters] PatientScope scope, int? limit, string? cursor)
    {
        if (RecordQueries.ReadPage(scope.Http, [], limit, cursor, out var page) is { } invalid)
        {
            return invalid;
        }

        var (rows, next) = await RecordQueries.NewestFirstAsync(scope.Records<Encounter>().AsNoTracking(), page, scope.Http, scope.CancellationToken);
        var names = await RecordQueries.UserNamesAsync(scope.Db, rows.Select(e => e.ClinicianUserId), scope.CancellationToken);
        return TypedResults.Ok(new Page<EncounterDto>(rows.Select(e => e.ToDto(names)).ToList(), next));
    }

    private static Task<Results<Ok<EncounterDto>, NotFound>> GetEncounter([AsParameters] PatientScope scope, Guid id) =>
        RecordEndpoints.GetAsync<Encounter, EncounterDto>(scope, id, e => e.Version, e => EncounterDtoAsync(scope, e));

    private static Task<Results<Ok<EncounterDto>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateEncounter(
        [AsParameters] PatientScope scope, Guid id, EncounterUpdateRequest request) =>
        RecordEndpoints.ReplaceAsync<Encounter, EncounterDto>(scope, id, "encounter", e => e.Version, (encounter, _, now) =>
        {
            if (request.Validate(now) is { } invalid)
            {
                return invalid;
            }

            if (encounter.Status != EncounterStatus.InProgress && request.Status != encounter.Status)
            {
                return TypedResults.Problem(
                    title: "The encounter is closed.",
                    detail: "A finished or cancelled encounter keeps its status; open a new encounter instead.",
                    statusCode: StatusCodes.Status409Conflict);
            }

            DateTimeOffset? endedAt = request.Status == EncounterStatus.InProgress ? null : request.EndedAt ?? encounter.EndedAt ?? now;
            if (endedAt < encounter.StartedAt)
            {
                return Problems.Field("endedAt", "An encounter cannot end before it started.");
            }

            encounter.Status = request.Status;
            encounter.Reason = RecordEndpoints.Trimmed(request.Reason);
            encounter.EndedAt = endedAt;
            encounter.UpdatedAt = now;
            return null;
        }, e => EncounterDtoAsync(scope, e));

    private static ProblemHttpResult AppointmentHasEncounter() =>
        TypedResults.Problem(title: "The appointment already has an encounter.", statusCode: StatusCodes.Status409Conflict);

    private static async Task<EncounterDto> EncounterDtoAsync(PatientScope scope, Encounter encounter) =>
        encounter.ToDto(await RecordQueries.UserNamesAsync(scope.Db, [encounter.ClinicianUserId], scope.CancellationToken));
}
