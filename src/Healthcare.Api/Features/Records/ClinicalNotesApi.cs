using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Identity;
using Healthcare.Core.Records;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Records;

/// <summary>
/// A patient's clinical notes: drafts edited by their author, signed (then immutable), amended and released to
/// the patient. Bodies are encrypted at rest.
/// </summary>
public static class ClinicalNotesApi
{
    private const string NoteResource = "ClinicalNote";
    private const string AmendmentResource = "NoteAmendment";
    private static readonly string[] EncounterFilter = ["encounterId"];

    internal static void MapClinicalNotes(this RouteGroupBuilder records)
    {
        records.MapPost("/notes", CreateNote)
            .ReturnsETag()
            .RequirePermission(Permissions.RecordsWrite)
            .Audited(AuditActions.Create, NoteResource)
            .WithName("CreateClinicalNote")
            .WithSummary("Write a draft note (body encrypted at rest); the caller is its author. Not visible to the patient until signed and released.")
            .ProducesValidationProblem();
        records.MapGet("/notes", ListNotes)
            .RequirePermission(Permissions.RecordsRead)
            .Audited(AuditActions.Read, NoteResource)
            .WithName("ListClinicalNotes")
            .WithSummary("The patient's notes with their amendments, drafts included, newest first; filter encounterId; keyset paginated.")
            .ProducesValidationProblem();
        records.MapGet("/notes/{id:guid}", GetNote)
            .ReturnsETag()
            .RequirePermission(Permissions.RecordsRead)
            .Audited(AuditActions.Read, NoteResource)
            .WithName("GetClinicalNote")
            .WithSummary("One note with its amendments; the ETag is the version to send as If-Match when editing or signing.");
        records.MapPut("/notes/{id:guid}", UpdateNote)
            .RequirePermission(Permissions.RecordsWrite)
            .Audited(AuditActions.Update, NoteResource)
            .WithName("UpdateClinicalNote")
            .WithSummary("Edit a draft note; its author only (403 otherwise). A signed note is immutable (409): append an amendment. Needs If-Match.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequiresIfMatch();
        records.MapPost("/notes/{id:guid}/sign", SignNote)
            .RequirePermission(Permissions.RecordsWrite)
            .Audited(AuditActions.Update, NoteResource)
            .WithName("SignClinicalNote")
            .WithSummary("Sign a draft note, making it immutable; its author only, with If-Match naming the version signed. 409 when already signed.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequiresIfMatch();
        records.MapPost("/notes/{id:guid}/amendments", AmendNote)
            .RequirePermission(Permissions.RecordsWrite)
            .Audited(AuditActions.Create, AmendmentResource)
            .WithName("AmendClinicalNote")
            .WithSummary("Append a correction to a signed note (encrypted at rest; the caller is its author). A draft is edited instead (409).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        records.MapPost("/notes/{id:guid}/release", ReleaseNote)
            .ReturnsETag()
            .RequirePermission(Permissions.RecordsWrite)
            .Audited(AuditActions.Update, NoteResource)
            .WithName("ReleaseClinicalNote")
            .WithSummary("Let the patient read the note (once it is signed). Releasing is final and idempotent.");
    }

    private static async Task<Results<Created<NoteDto>, NotFound, ValidationProblem>> CreateNote([AsParameters] PatientScope scope, NoteRequest request)
    {
        if (request.Validate() is { } invalid)
        {
            return invalid;
        }

        if (!await RecordEndpoints.HasEncounterAsync(scope, request.EncounterId))
        {
            return RecordEndpoints.UnknownEncounter();
        }

        var note = ClinicalNote.Draft(
            scope.ClinicId, scope.PatientId, scope.Caller.Id, request.EncounterId, request.Kind, scope.Encryption.Encrypt(request.Body)!, scope.Clock.GetUtcNow());
        scope.Db.ClinicalNotes.Add(note);
        await scope.Db.SaveChangesAsync(scope.CancellationToken);
        scope.Audit.ResourceId = note.Id.ToString();
        scope.Http.SetETag(note.Version);
        return TypedResults.Created($"{scope.Base}/notes/{note.Id}", await NoteDtoAsync(scope, note));
    }

    private static async Task<Results<Ok<Page<NoteDto>>, NotFound, ValidationProblem>> ListNotes(
        [AsParameters] PatientScope scope, Guid? encounterId, int? limit, string? cursor)
    {
        if (RecordQueries.ReadPage(scope.Http, EncounterFilter, limit, cursor, out var page) is { } invalid)
        {
            return invalid;
        }

        var query = scope.Records<ClinicalNote>().AsNoTracking().Include(n => n.Amendments).AsSplitQuery();
        if (encounterId is { } encounter)
        {
            query = query.Where(n => n.EncounterId == encounter);
        }

        var (rows, next) = await RecordQueries.NewestFirstAsync(query, page, scope.Http, scope.CancellationToken);
        return TypedResults.Ok(new Page<NoteDto>(await RecordQueries.NoteDtosAsync(scope.Db, scope.Encryption, rows, scope.CancellationToken), next));
    }

    private static Task<Results<Ok<NoteDto>, NotFound>> GetNote([AsParameters] PatientScope scope, Guid id) =>
        RecordEndpoints.GetAsync<ClinicalNote, NoteDto>(scope, id, n => n.Version, n => NoteDtoAsync(scope, n), q => q.Include(n => n.Amendments));

    private static Task<Results<Ok<NoteDto>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateNote(
        [AsParameters] PatientScope scope, Guid id, NoteRequest request) =>
        ConcurrencyCheckedUpdates.UpdateAsync(
            scope.Http, scope.Db, "note",
            validate: request.Validate,
            load: () => FindNoteAsync(scope, id),
            refuse: note => RefuseNoteChange(scope, note, "edit"),
            version: n => n.Version,
            apply: async note =>
            {
                if (!await RecordEndpoints.HasEncounterAsync(scope, request.EncounterId))
                {
                    return RecordEndpoints.UnknownEncounter();
                }

                note.TryEdit(request.Kind, scope.Encryption.Encrypt(request.Body)!, request.EncounterId, scope.Clock.GetUtcNow());
                return null;
            },
            answer: note => NoteDtoAsync(scope, note));

    /// <summary>Signs the version the author read: If-Match names it.</summary>
    private static Task<Results<Ok<NoteDto>, NotFound, ValidationProblem, ProblemHttpResult>> SignNote([AsParameters] PatientScope scope, Guid id) =>
        ConcurrencyCheckedUpdates.UpdateAsync(
            scope.Http, scope.Db, "note",
            load: () => FindNoteAsync(scope, id),
            refuse: note => RefuseNoteChange(scope, note, "sign"),
            version: n => n.Version,
            apply: note =>
            {
                note.TrySign(scope.Clock.GetUtcNow());
                return ConcurrencyCheckedUpdates.Applied;
            },
            answer: note => NoteDtoAsync(scope, note));

    private static async Task<Results<Created<AmendmentDto>, NotFound, ValidationProblem, ProblemHttpResult>> AmendNote(
        [AsParameters] PatientScope scope, Guid id, AmendmentRequest request)
    {
        if (request.Validate() is { } invalid)
        {
            return invalid;
        }

        var signed = await scope.Records<ClinicalNote>().Where(n => n.Id == id).Select(n => (bool?)(n.SignedAt != null)).SingleOrDefaultAsync(scope.CancellationToken);
        if (signed is null)
        {
            return TypedResults.NotFound();
        }

        if (signed == false)
        {
            return TypedResults.Problem(
                title: "The note is still a draft.",
                detail: "A draft is edited by its author; amendments are appended to signed notes.",
                statusCode: StatusCodes.Status409Conflict);
        }

        var amendment = new NoteAmendment
        {
            NoteId = id,
            AuthorUserId = scope.Caller.Id,
            BodyEncrypted = scope.Encryption.Encrypt(request.Body)!,
            CreatedAt = scope.Clock.GetUtcNow(),
        };
        // Through its own set: the note itself does not change.
        scope.Db.NoteAmendments.Add(amendment);
        await scope.Db.SaveChangesAsync(scope.CancellationToken);
        scope.Audit.ResourceId = amendment.Id.ToString();
        var names = await RecordQueries.UserNamesAsync(scope.Db, [amendment.AuthorUserId], scope.CancellationToken);
        return TypedResults.Created($"{scope.Base}/notes/{id}", amendment.ToDto(scope.Encryption, names));
    }

    private static async Task<Results<Ok<NoteDto>, NotFound, ValidationProblem, ProblemHttpResult>> ReleaseNote([AsParameters] PatientScope scope, Guid id)
    {
        var note = await FindNoteAsync(scope, id);
        if (note is null)
        {
            return TypedResults.NotFound();
        }

        note.Release(scope.Caller.Id, scope.Clock.GetUtcNow());
        return await SaveNoteAsync(scope, note);
    }

    private static Task<ClinicalNote?> FindNoteAsync(PatientScope scope, Guid id) =>
        scope.Records<ClinicalNote>().Include(n => n.Amendments).SingleOrDefaultAsync(n => n.Id == id, scope.CancellationToken);

    /// <summary>Only a draft changes, and only by its author.</summary>
    private static ProblemHttpResult? RefuseNoteChange(PatientScope scope, ClinicalNote note, string verb)
    {
        if (note.IsSigned)
        {
            return TypedResults.Problem(
                title: "The note is signed and cannot change.",
                detail: "Append an amendment to correct or add to a signed note.",
                statusCode: StatusCodes.Status409Conflict);
        }

        return note.AuthorUserId != scope.Caller.Id
            ? TypedResults.Problem(title: $"Only the note's author can {verb} it.", statusCode: StatusCodes.Status403Forbidden)
            : null;
    }

    private static async Task<Results<Ok<NoteDto>, NotFound, ValidationProblem, ProblemHttpResult>> SaveNoteAsync(PatientScope scope, ClinicalNote note)
    {
        try
        {
            await scope.Db.SaveChangesAsync(scope.CancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Versioning.Stale("note");
        }

        scope.Http.SetETag(note.Version);
        return TypedResults.Ok(await NoteDtoAsync(scope, note));
    }

    private static async Task<NoteDto> NoteDtoAsync(PatientScope scope, ClinicalNote note) =>
        (await RecordQueries.NoteDtosAsync(scope.Db, scope.Encryption, [note], scope.CancellationToken))[0];
}
