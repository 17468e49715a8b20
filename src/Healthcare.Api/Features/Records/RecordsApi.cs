using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Identity;
using Healthcare.Core.Records;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Healthcare.Api.Features.Records;

/// <summary>
/// A patient's clinical record for the clinic's clinicians: encounters, notes with signing and amendments,
/// vital signs, allergies, prescriptions, the problem list and a summary. Every endpoint is audited with the
/// patient's id, and every query is scoped to the route's clinic and patient.
/// </summary>
public static class RecordsApi
{
    private const string EncounterResource = "Encounter";
    private const string NoteResource = "ClinicalNote";
    private const string AmendmentResource = "NoteAmendment";
    private const string VitalsResource = "VitalSign";
    private const string AllergyResource = "Allergy";
    private const string MedicationResource = "Medication";
    private const string ProblemResource = "Problem";
    private static readonly string[] StatusFilter = ["status"];
    private static readonly string[] KindFilter = ["kind"];
    private static readonly string[] EncounterFilter = ["encounterId"];

    public static IEndpointRouteBuilder MapRecordsApi(this IEndpointRouteBuilder endpoints)
    {
        var records = endpoints.MapGroup("/api/v1/clinics/{clinicId:guid}/patients/{patientId:guid}").WithTags("Clinical records")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        records.MapGet("/summary", Summary)
            .RequirePermission(Permissions.RecordsRead)
            .Audited(AuditActions.Read, "PatientSummary")
            .WithName("GetPatientSummary")
            .WithSummary("Demographics, active problems and allergies, current medications, the latest vital sign of each kind and upcoming appointments.");

        MapEncounters(records);
        MapNotes(records);
        MapVitals(records);
        MapAllergies(records);
        MapMedications(records);
        MapProblems(records);
        return endpoints;
    }

    private static void MapEncounters(RouteGroupBuilder records)
    {
        records.MapPost("/encounters", CreateEncounter)
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
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);
    }

    private static void MapNotes(RouteGroupBuilder records)
    {
        records.MapPost("/notes", CreateNote)
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
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);
        records.MapPost("/notes/{id:guid}/sign", SignNote)
            .RequirePermission(Permissions.RecordsWrite)
            .Audited(AuditActions.Update, NoteResource)
            .WithName("SignClinicalNote")
            .WithSummary("Sign a draft note, making it immutable; its author only, with If-Match naming the version signed. 409 when already signed.")
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);
        records.MapPost("/notes/{id:guid}/amendments", AmendNote)
            .RequirePermission(Permissions.RecordsWrite)
            .Audited(AuditActions.Create, AmendmentResource)
            .WithName("AmendClinicalNote")
            .WithSummary("Append a correction to a signed note (encrypted at rest; the caller is its author). A draft is edited instead (409).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        records.MapPost("/notes/{id:guid}/release", ReleaseNote)
            .RequirePermission(Permissions.RecordsWrite)
            .Audited(AuditActions.Update, NoteResource)
            .WithName("ReleaseClinicalNote")
            .WithSummary("Let the patient read the note (once it is signed). Releasing is final and idempotent.");
    }

    private static void MapVitals(RouteGroupBuilder records)
    {
        records.MapPost("/vitals", RecordVitals)
            .RequirePermission(Permissions.RecordsWrite)
            .Audited(AuditActions.Create, VitalsResource)
            .WithName("RecordVitals")
            .WithSummary("Record vital signs measured together: blood pressure (mmHg), heart rate (/min), temperature (°C), SpO2 (%), weight (kg), height (cm). Implausible values are refused naming the field.")
            .ProducesValidationProblem();
        records.MapGet("/vitals", ListVitals)
            .RequirePermission(Permissions.RecordsRead)
            .Audited(AuditActions.Read, VitalsResource)
            .WithName("ListVitals")
            .WithSummary("The patient's vital signs, latest measurement first; filter kind; keyset paginated.")
            .ProducesValidationProblem();
    }

    private static void MapAllergies(RouteGroupBuilder records)
    {
        records.MapPost("/allergies", CreateAllergy)
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
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);
    }

    private static void MapMedications(RouteGroupBuilder records)
    {
        records.MapPost("/medications", Prescribe)
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
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);
    }

    private static void MapProblems(RouteGroupBuilder records)
    {
        records.MapPost("/problems", CreateProblem)
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
            .ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);
    }

    private static async Task<Results<Ok<PatientSummaryDto>, NotFound>> Summary([AsParameters] PatientScope scope)
    {
        if (await scope.FindPatientAsync() is not { } patient)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(await RecordQueries.SummaryAsync(scope.Db, patient, scope.Clock.GetUtcNow(), scope.CancellationToken));
    }

    // Encounters

    private static async Task<Results<Created<EncounterDto>, NotFound, ValidationProblem, ProblemHttpResult>> CreateEncounter(
        [AsParameters] PatientScope scope, EncounterRequest request)
    {
        var now = scope.Clock.GetUtcNow();
        if (await scope.FindPatientAsync() is null)
        {
            return TypedResults.NotFound();
        }

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
            Reason = Trimmed(request.Reason),
            StartedAt = request.StartedAt ?? now,
            CreatedAt = now,
            UpdatedAt = now,
        };
        scope.Db.Encounters.Add(encounter);
        try
        {
            await scope.Db.SaveChangesAsync(scope.CancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // Another request opened the appointment's encounter between our check and our insert.
            return AppointmentHasEncounter();
        }

        scope.Audit.ResourceId = encounter.Id.ToString();
        scope.Http.SetETag(encounter.Version);
        return TypedResults.Created($"{Base(scope)}/encounters/{encounter.Id}", await EncounterDtoAsync(scope, encounter));
    }

    private static async Task<Results<Ok<Page<EncounterDto>>, NotFound, ValidationProblem>> ListEncounters(
        [AsParameters] PatientScope scope, int? limit, string? cursor)
    {
        if (await scope.FindPatientAsync() is null)
        {
            return TypedResults.NotFound();
        }

        if (RecordQueries.ReadPage(scope.Http, [], limit, cursor, out var page) is { } invalid)
        {
            return invalid;
        }

        var (rows, next) = await RecordQueries.NewestFirstAsync(scope.Records<Encounter>().AsNoTracking(), page, scope.Http, scope.CancellationToken);
        var names = await RecordQueries.UserNamesAsync(scope.Db, rows.Select(e => e.ClinicianUserId), scope.CancellationToken);
        return TypedResults.Ok(new Page<EncounterDto>(rows.Select(e => e.ToDto(names)).ToList(), next));
    }

    private static Task<Results<Ok<EncounterDto>, NotFound>> GetEncounter([AsParameters] PatientScope scope, Guid id) =>
        GetAsync<Encounter, EncounterDto>(scope, id, e => e.Version, e => EncounterDtoAsync(scope, e));

    private static Task<Results<Ok<EncounterDto>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateEncounter(
        [AsParameters] PatientScope scope, Guid id, EncounterUpdateRequest request) =>
        ReplaceAsync<Encounter, EncounterDto>(scope, id, "encounter", e => e.Version, (encounter, _, now) =>
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
            encounter.Reason = Trimmed(request.Reason);
            encounter.EndedAt = endedAt;
            encounter.UpdatedAt = now;
            return null;
        }, e => EncounterDtoAsync(scope, e));

    // Notes

    private static async Task<Results<Created<NoteDto>, NotFound, ValidationProblem>> CreateNote([AsParameters] PatientScope scope, NoteRequest request)
    {
        if (await scope.FindPatientAsync() is null)
        {
            return TypedResults.NotFound();
        }

        if (request.Validate() is { } invalid)
        {
            return invalid;
        }

        if (!await HasEncounterAsync(scope, request.EncounterId))
        {
            return UnknownEncounter();
        }

        var note = ClinicalNote.Draft(
            scope.ClinicId, scope.PatientId, scope.Caller.Id, request.EncounterId, request.Kind, scope.Encryption.Encrypt(request.Body)!, scope.Clock.GetUtcNow());
        scope.Db.ClinicalNotes.Add(note);
        await scope.Db.SaveChangesAsync(scope.CancellationToken);
        scope.Audit.ResourceId = note.Id.ToString();
        scope.Http.SetETag(note.Version);
        return TypedResults.Created($"{Base(scope)}/notes/{note.Id}", await NoteDtoAsync(scope, note));
    }

    private static async Task<Results<Ok<Page<NoteDto>>, NotFound, ValidationProblem>> ListNotes(
        [AsParameters] PatientScope scope, Guid? encounterId, int? limit, string? cursor)
    {
        if (await scope.FindPatientAsync() is null)
        {
            return TypedResults.NotFound();
        }

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
        GetAsync<ClinicalNote, NoteDto>(scope, id, n => n.Version, n => NoteDtoAsync(scope, n), q => q.Include(n => n.Amendments));

    private static async Task<Results<Ok<NoteDto>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateNote(
        [AsParameters] PatientScope scope, Guid id, NoteRequest request)
    {
        if (await scope.FindPatientAsync() is null)
        {
            return TypedResults.NotFound();
        }

        if (Versioning.RequireIfMatch(scope.Http, "note") is { } missing)
        {
            return missing;
        }

        if (request.Validate() is { } invalid)
        {
            return invalid;
        }

        var note = await scope.Records<ClinicalNote>().Include(n => n.Amendments).SingleOrDefaultAsync(n => n.Id == id, scope.CancellationToken);
        if (note is null)
        {
            return TypedResults.NotFound();
        }

        if (RefuseNoteChange(scope, note, "edit") is { } refused)
        {
            return refused;
        }

        if (Versioning.IsStale(scope.Http, note.Version))
        {
            return Versioning.Stale("note");
        }

        if (!await HasEncounterAsync(scope, request.EncounterId))
        {
            return UnknownEncounter();
        }

        note.TryEdit(request.Kind, scope.Encryption.Encrypt(request.Body)!, request.EncounterId, scope.Clock.GetUtcNow());
        return await SaveNoteAsync(scope, note);
    }

    private static async Task<Results<Ok<NoteDto>, NotFound, ValidationProblem, ProblemHttpResult>> SignNote([AsParameters] PatientScope scope, Guid id)
    {
        if (await scope.FindPatientAsync() is null)
        {
            return TypedResults.NotFound();
        }

        if (Versioning.RequireIfMatch(scope.Http, "note") is { } missing)
        {
            return missing;
        }

        var note = await scope.Records<ClinicalNote>().Include(n => n.Amendments).SingleOrDefaultAsync(n => n.Id == id, scope.CancellationToken);
        if (note is null)
        {
            return TypedResults.NotFound();
        }

        if (RefuseNoteChange(scope, note, "sign") is { } refused)
        {
            return refused;
        }

        // The version signed is the version the author read.
        if (Versioning.IsStale(scope.Http, note.Version))
        {
            return Versioning.Stale("note");
        }

        note.TrySign(scope.Clock.GetUtcNow());
        return await SaveNoteAsync(scope, note);
    }

    private static async Task<Results<Created<AmendmentDto>, NotFound, ValidationProblem, ProblemHttpResult>> AmendNote(
        [AsParameters] PatientScope scope, Guid id, AmendmentRequest request)
    {
        if (await scope.FindPatientAsync() is null)
        {
            return TypedResults.NotFound();
        }

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
        return TypedResults.Created($"{Base(scope)}/notes/{id}", amendment.ToDto(scope.Encryption, names));
    }

    private static async Task<Results<Ok<NoteDto>, NotFound, ValidationProblem, ProblemHttpResult>> ReleaseNote([AsParameters] PatientScope scope, Guid id)
    {
        if (await scope.FindPatientAsync() is null)
        {
            return TypedResults.NotFound();
        }

        var note = await scope.Records<ClinicalNote>().Include(n => n.Amendments).SingleOrDefaultAsync(n => n.Id == id, scope.CancellationToken);
        if (note is null)
        {
            return TypedResults.NotFound();
        }

        note.Release(scope.Caller.Id, scope.Clock.GetUtcNow());
        return await SaveNoteAsync(scope, note);
    }

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

    // Vital signs

    private static async Task<Results<Created<List<VitalDto>>, NotFound, ValidationProblem>> RecordVitals([AsParameters] PatientScope scope, VitalsRequest request)
    {
        var now = scope.Clock.GetUtcNow();
        if (await scope.FindPatientAsync() is null)
        {
            return TypedResults.NotFound();
        }

        if (request.Validate(now) is { } invalid)
        {
            return invalid;
        }

        if (!await HasEncounterAsync(scope, request.EncounterId))
        {
            return UnknownEncounter();
        }

        var vitals = request.Measurements().Select(m => new VitalSign
        {
            ClinicId = scope.ClinicId,
            PatientId = scope.PatientId,
            EncounterId = request.EncounterId,
            Kind = m.Kind.Name,
            Value = m.Value,
            SecondaryValue = m.Diastolic,
            Unit = m.Kind.Unit,
            MeasuredAt = request.MeasuredAt ?? now,
            RecordedByUserId = scope.Caller.Id,
            CreatedAt = now,
        }).ToList();
        scope.Db.VitalSigns.AddRange(vitals);
        await scope.Db.SaveChangesAsync(scope.CancellationToken);
        return TypedResults.Created($"{Base(scope)}/vitals", vitals.Select(v => v.ToDto()).ToList());
    }

    private static async Task<Results<Ok<Page<VitalDto>>, NotFound, ValidationProblem>> ListVitals(
        [AsParameters] PatientScope scope, string? kind, int? limit, string? cursor)
    {
        if (await scope.FindPatientAsync() is null)
        {
            return TypedResults.NotFound();
        }

        if (RecordQueries.ReadPage(scope.Http, KindFilter, limit, cursor, out var page) is { } invalid)
        {
            return invalid;
        }

        if (kind is not null && VitalKinds.Find(kind) is null)
        {
            return Problems.Field("kind", $"Use one of: {string.Join(", ", VitalKinds.All.Select(k => k.Name))}.");
        }

        var query = scope.Records<VitalSign>().AsNoTracking();
        if (kind is not null)
        {
            query = query.Where(v => v.Kind == kind);
        }

        var (rows, next) = await RecordQueries.LatestMeasuredFirstAsync(query, page, scope.Http, scope.CancellationToken);
        return TypedResults.Ok(new Page<VitalDto>(rows.Select(v => v.ToDto()).ToList(), next));
    }

    // Allergies

    private static async Task<Results<Created<AllergyDto>, NotFound, ValidationProblem>> CreateAllergy([AsParameters] PatientScope scope, AllergyRequest request)
    {
        var now = scope.Clock.GetUtcNow();
        if (await scope.FindPatientAsync() is not { } patient)
        {
            return TypedResults.NotFound();
        }

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
        return TypedResults.Created($"{Base(scope)}/allergies/{allergy.Id}", allergy.ToDto());
    }

    private static async Task<Results<Ok<Page<AllergyDto>>, NotFound, ValidationProblem>> ListAllergies(
        [AsParameters] PatientScope scope, string? status, int? limit, string? cursor)
    {
        if (await scope.FindPatientAsync() is null)
        {
            return TypedResults.NotFound();
        }

        if (RecordQueries.ReadPage(scope.Http, StatusFilter, limit, cursor, out var page) is { } invalid)
        {
            return invalid;
        }

        if (UnknownStatus(status, AllergyStatus.All) is { } unknown)
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
        GetAsync<Allergy, AllergyDto>(scope, id, a => a.Version, a => Task.FromResult(a.ToDto()));

    private static Task<Results<Ok<AllergyDto>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateAllergy(
        [AsParameters] PatientScope scope, Guid id, AllergyRequest request) =>
        ReplaceAsync<Allergy, AllergyDto>(scope, id, "allergy", a => a.Version, (allergy, patient, now) =>
        {
            if (request.Validate(patient.Today(now)) is { } invalid)
            {
                return invalid;
            }

            request.ApplyTo(allergy, now);
            return null;
        }, a => Task.FromResult(a.ToDto()));

    // Medications

    private static async Task<Results<Created<MedicationDto>, NotFound, ValidationProblem>> Prescribe([AsParameters] PatientScope scope, MedicationRequest request)
    {
        var now = scope.Clock.GetUtcNow();
        if (await scope.FindPatientAsync() is not { } patient)
        {
            return TypedResults.NotFound();
        }

        if (request.Validate() is { } invalid)
        {
            return invalid;
        }

        if (!await HasEncounterAsync(scope, request.EncounterId))
        {
            return UnknownEncounter();
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
        return TypedResults.Created($"{Base(scope)}/medications/{medication.Id}", await MedicationDtoAsync(scope, medication));
    }

    private static async Task<Results<Ok<Page<MedicationDto>>, NotFound, ValidationProblem>> ListMedications(
        [AsParameters] PatientScope scope, string? status, int? limit, string? cursor)
    {
        if (await scope.FindPatientAsync() is null)
        {
            return TypedResults.NotFound();
        }

        if (RecordQueries.ReadPage(scope.Http, StatusFilter, limit, cursor, out var page) is { } invalid)
        {
            return invalid;
        }

        if (UnknownStatus(status, MedicationStatus.All) is { } unknown)
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
        GetAsync<Medication, MedicationDto>(scope, id, m => m.Version, m => MedicationDtoAsync(scope, m));

    private static Task<Results<Ok<MedicationDto>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateMedication(
        [AsParameters] PatientScope scope, Guid id, MedicationRequest request) =>
        ReplaceAsync<Medication, MedicationDto>(scope, id, "medication", m => m.Version, (medication, _, now) =>
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

    // Problem list

    private static async Task<Results<Created<ProblemDto>, NotFound, ValidationProblem>> CreateProblem([AsParameters] PatientScope scope, ProblemRequest request)
    {
        var now = scope.Clock.GetUtcNow();
        if (await scope.FindPatientAsync() is not { } patient)
        {
            return TypedResults.NotFound();
        }

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
        return TypedResults.Created($"{Base(scope)}/problems/{problem.Id}", problem.ToDto());
    }

    private static async Task<Results<Ok<Page<ProblemDto>>, NotFound, ValidationProblem>> ListProblems(
        [AsParameters] PatientScope scope, string? status, int? limit, string? cursor)
    {
        if (await scope.FindPatientAsync() is null)
        {
            return TypedResults.NotFound();
        }

        if (RecordQueries.ReadPage(scope.Http, StatusFilter, limit, cursor, out var page) is { } invalid)
        {
            return invalid;
        }

        if (UnknownStatus(status, ProblemStatus.All) is { } unknown)
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
        GetAsync<ProblemListItem, ProblemDto>(scope, id, p => p.Version, p => Task.FromResult(p.ToDto()));

    private static Task<Results<Ok<ProblemDto>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateProblem(
        [AsParameters] PatientScope scope, Guid id, ProblemRequest request) =>
        ReplaceAsync<ProblemListItem, ProblemDto>(scope, id, "problem", p => p.Version, (problem, patient, now) =>
        {
            if (request.Validate(patient.Today(now), problem.Status) is { } invalid)
            {
                return invalid;
            }

            request.ApplyTo(problem, now);
            return null;
        }, p => Task.FromResult(p.ToDto()));

    // Shared

    /// <summary>A single record of the patient, with its version as the ETag.</summary>
    private static async Task<Results<Ok<TDto>, NotFound>> GetAsync<T, TDto>(
        PatientScope scope, Guid id, Func<T, uint> version, Func<T, Task<TDto>> toDto, Func<IQueryable<T>, IQueryable<T>>? include = null)
        where T : class, IPatientRecord
    {
        if (await scope.FindPatientAsync() is null)
        {
            return TypedResults.NotFound();
        }

        var query = scope.Records<T>().AsNoTracking();
        var record = await (include?.Invoke(query) ?? query).SingleOrDefaultAsync(r => r.Id == id, scope.CancellationToken);
        if (record is null)
        {
            return TypedResults.NotFound();
        }

        scope.Http.SetETag(version(record));
        return TypedResults.Ok(await toDto(record));
    }

    /// <summary>
    /// Replaces a record under optimistic concurrency: If-Match must name the current version (428 without, 412
    /// when stale, including a change that lands between our read and our write).
    /// <paramref name="apply"/> validates and changes the record, or answers why not.
    /// </summary>
    private static async Task<Results<Ok<TDto>, NotFound, ValidationProblem, ProblemHttpResult>> ReplaceAsync<T, TDto>(
        PatientScope scope, Guid id, string what, Func<T, uint> version, Func<T, ScopedPatient, DateTimeOffset, IResult?> apply, Func<T, Task<TDto>> toDto,
        Guid? encounterId = null)
        where T : class, IPatientRecord
    {
        if (await scope.FindPatientAsync() is not { } patient)
        {
            return TypedResults.NotFound();
        }

        if (Versioning.RequireIfMatch(scope.Http, what) is { } missing)
        {
            return missing;
        }

        var record = await scope.Records<T>().SingleOrDefaultAsync(r => r.Id == id, scope.CancellationToken);
        if (record is null)
        {
            return TypedResults.NotFound();
        }

        if (Versioning.IsStale(scope.Http, version(record)))
        {
            return Versioning.Stale(what);
        }

        switch (apply(record, patient, scope.Clock.GetUtcNow()))
        {
            case ValidationProblem invalid:
                return invalid;
            case ProblemHttpResult problem:
                return problem;
        }

        if (!await HasEncounterAsync(scope, encounterId))
        {
            return UnknownEncounter();
        }

        try
        {
            await scope.Db.SaveChangesAsync(scope.CancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Versioning.Stale(what);
        }

        scope.Http.SetETag(version(record));
        return TypedResults.Ok(await toDto(record));
    }

    private static Task<bool> HasEncounterAsync(PatientScope scope, Guid? encounterId) =>
        encounterId is { } id ? scope.Records<Encounter>().AnyAsync(e => e.Id == id, scope.CancellationToken) : Task.FromResult(true);

    private static ValidationProblem? UnknownStatus(string? status, IReadOnlyList<string> all) =>
        status is null || all.Contains(status) ? null : Problems.Field("status", $"Use one of: {string.Join(", ", all)}.");

    private static ValidationProblem UnknownEncounter() =>
        Problems.Field("encounterId", "This patient has no encounter with this id in this clinic.");

    private static ProblemHttpResult AppointmentHasEncounter() =>
        TypedResults.Problem(title: "The appointment already has an encounter.", statusCode: StatusCodes.Status409Conflict);

    private static async Task<EncounterDto> EncounterDtoAsync(PatientScope scope, Encounter encounter) =>
        encounter.ToDto(await RecordQueries.UserNamesAsync(scope.Db, [encounter.ClinicianUserId], scope.CancellationToken));

    private static async Task<NoteDto> NoteDtoAsync(PatientScope scope, ClinicalNote note) =>
        (await RecordQueries.NoteDtosAsync(scope.Db, scope.Encryption, [note], scope.CancellationToken))[0];

    private static async Task<MedicationDto> MedicationDtoAsync(PatientScope scope, Medication medication) =>
        (await RecordQueries.MedicationDtosAsync(scope.Db, [medication], scope.CancellationToken))[0];

    private static string Base(PatientScope scope) => $"/api/v1/clinics/{scope.ClinicId}/patients/{scope.PatientId}";

    private static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
