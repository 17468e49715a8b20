using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Records;
using Healthcare.Core.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Records;

/// <summary>
/// A patient's own clinical records, read-only: the patient records linked to the signed-in account
/// (<c>Patient.UserId</c>), and for each its summary, signed and released notes, allergies, medications,
/// problems and vital signs. Every query is scoped to the caller, so another person's record is not found.
/// </summary>
public static class MyRecordsApi
{
    private static readonly string[] NoFilters = [];

    public static IEndpointRouteBuilder MapMyRecordsApi(this IEndpointRouteBuilder endpoints)
    {
        var mine = endpoints.MapGroup("/api/v1/me/patients").WithTags("My records")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        mine.MapGet("", ListMyPatients)
            .Audited(AuditActions.Read, "Patient")
            .WithName("ListMyPatientRecords")
            .WithSummary("The patient records linked to the signed-in account (one per clinic that treats them).");
        var record = mine.MapGroup("/{patientId:guid}").ProducesProblem(StatusCodes.Status404NotFound);
        record.MapGet("/summary", Summary)
            .Audited(AuditActions.Read, "PatientSummary")
            .WithName("GetMySummary")
            .WithSummary("My demographics, active problems and allergies, current medications, latest vital signs and upcoming appointments.");
        record.MapGet("/notes", Notes)
            .Audited(AuditActions.Read, "ClinicalNote")
            .WithName("ListMyNotes")
            .WithSummary("My clinicians' notes that are signed and released to me, with their amendments, newest first; keyset paginated.")
            .ProducesValidationProblem();
        record.MapGet("/allergies", Allergies)
            .Audited(AuditActions.Read, "Allergy")
            .WithName("ListMyAllergies")
            .WithSummary("My allergies, newest first; keyset paginated.")
            .ProducesValidationProblem();
        record.MapGet("/medications", Medications)
            .Audited(AuditActions.Read, "Medication")
            .WithName("ListMyMedications")
            .WithSummary("My prescriptions, newest first; keyset paginated.")
            .ProducesValidationProblem();
        record.MapGet("/problems", ProblemList)
            .Audited(AuditActions.Read, "Problem")
            .WithName("ListMyProblems")
            .WithSummary("My problem list, newest first; keyset paginated.")
            .ProducesValidationProblem();
        record.MapGet("/vitals", Vitals)
            .Audited(AuditActions.Read, "VitalSign")
            .WithName("ListMyVitals")
            .WithSummary("My vital signs, latest measurement first; keyset paginated.")
            .ProducesValidationProblem();
        return endpoints;
    }

    private static async Task<Ok<List<MyPatientRecordDto>>> ListMyPatients(
        CurrentUser caller, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken)
    {
        var me = caller.Id;
        audit.Role = ClinicRoles.Patient;
        var records = await db.Patients.AsNoTracking()
            .Where(p => p.UserId == me)
            .OrderBy(p => p.Id)
            .Select(p => new MyPatientRecordDto(
                p.Id, p.ClinicId, db.Clinics.Where(c => c.Id == p.ClinicId).Select(c => c.Name).First(), p.GivenName, p.FamilyName, p.DateOfBirth))
            .ToListAsync(cancellationToken);
        if (records is [var only])
        {
            audit.PatientId = only.PatientId;
            audit.ClinicId = only.ClinicId;
            audit.ResourceId = only.PatientId.ToString();
        }

        return TypedResults.Ok(records);
    }

    private static async Task<Results<Ok<PatientSummaryDto>, NotFound>> Summary([AsParameters] MyScope scope)
    {
        if (await scope.FindPatientAsync() is not { } patient)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(await RecordQueries.SummaryAsync(scope.Db, patient, scope.Clock.GetUtcNow(), scope.CancellationToken));
    }

    private static async Task<Results<Ok<Page<NoteDto>>, NotFound, ValidationProblem>> Notes([AsParameters] MyScope scope, int? limit, string? cursor)
    {
        if (await scope.FindPatientAsync() is not { } patient)
        {
            return TypedResults.NotFound();
        }

        if (RecordQueries.ReadPage(scope.Http, NoFilters, limit, cursor, out var page) is { } invalid)
        {
            return invalid;
        }

        // Drafts and notes the clinician has not released never leave for the patient.
        var query = Records<ClinicalNote>(scope, patient).AsNoTracking().Where(n => n.SignedAt != null && n.Released)
            .Include(n => n.Amendments).AsSplitQuery();
        var (rows, next) = await RecordQueries.NewestFirstAsync(query, page, scope.Http, scope.CancellationToken);
        return TypedResults.Ok(new Page<NoteDto>(await RecordQueries.NoteDtosAsync(scope.Db, scope.Encryption, rows, scope.CancellationToken), next));
    }

    private static async Task<Results<Ok<Page<AllergyDto>>, NotFound, ValidationProblem>> Allergies([AsParameters] MyScope scope, int? limit, string? cursor)
    {
        if (await scope.FindPatientAsync() is not { } patient)
        {
            return TypedResults.NotFound();
        }

        if (RecordQueries.ReadPage(scope.Http, NoFilters, limit, cursor, out var page) is { } invalid)
        {
            return invalid;
        }

        var query = Records<Allergy>(scope, patient).AsNoTracking().Where(a => a.Status != AllergyStatus.EnteredInError);
        var (rows, next) = await RecordQueries.NewestFirstAsync(query, page, scope.Http, scope.CancellationToken);
        return TypedResults.Ok(new Page<AllergyDto>(rows.Select(a => a.ToDto()).ToList(), next));
    }

    private static async Task<Results<Ok<Page<MedicationDto>>, NotFound, ValidationProblem>> Medications([AsParameters] MyScope scope, int? limit, string? cursor)
    {
        if (await scope.FindPatientAsync() is not { } patient)
        {
            return TypedResults.NotFound();
        }

        if (RecordQueries.ReadPage(scope.Http, NoFilters, limit, cursor, out var page) is { } invalid)
        {
            return invalid;
        }

        var query = Records<Medication>(scope, patient).AsNoTracking().Where(m => m.Status != MedicationStatus.EnteredInError);
        var (rows, next) = await RecordQueries.NewestFirstAsync(query, page, scope.Http, scope.CancellationToken);
        return TypedResults.Ok(new Page<MedicationDto>(await RecordQueries.MedicationDtosAsync(scope.Db, rows, scope.CancellationToken), next));
    }

    private static async Task<Results<Ok<Page<ProblemDto>>, NotFound, ValidationProblem>> ProblemList([AsParameters] MyScope scope, int? limit, string? cursor)
    {
        if (await scope.FindPatientAsync() is not { } patient)
        {
            return TypedResults.NotFound();
        }

        if (RecordQueries.ReadPage(scope.Http, NoFilters, limit, cursor, out var page) is { } invalid)
        {
            return invalid;
        }

        var query = Records<ProblemListItem>(scope, patient).AsNoTracking().Where(p => p.Status != ProblemStatus.EnteredInError);
        var (rows, next) = await RecordQueries.NewestFirstAsync(query, page, scope.Http, scope.CancellationToken);
        return TypedResults.Ok(new Page<ProblemDto>(rows.Select(p => p.ToDto()).ToList(), next));
    }

    private static async Task<Results<Ok<Page<VitalDto>>, NotFound, ValidationProblem>> Vitals([AsParameters] MyScope scope, int? limit, string? cursor)
    {
        if (await scope.FindPatientAsync() is not { } patient)
        {
            return TypedResults.NotFound();
        }

        if (RecordQueries.ReadPage(scope.Http, NoFilters, limit, cursor, out var page) is { } invalid)
        {
            return invalid;
        }

        var (rows, next) = await RecordQueries.LatestMeasuredFirstAsync(Records<VitalSign>(scope, patient).AsNoTracking(), page, scope.Http, scope.CancellationToken);
        return TypedResults.Ok(new Page<VitalDto>(rows.Select(v => v.ToDto()).ToList(), next));
    }

    private static IQueryable<T> Records<T>(MyScope scope, ScopedPatient patient)
        where T : class, IPatientRecord
    {
        var (clinicId, patientId) = (patient.ClinicId, patient.Id);
        return scope.Db.Set<T>().Where(r => r.PatientId == patientId && r.ClinicId == clinicId);
    }
}

/// <summary>
/// What a patient's own records endpoint binds: the patient id from the route and the services it uses. Services
/// are marked as such, so that request validation does not walk into them.
/// </summary>
public readonly record struct MyScope(
    Guid PatientId,
    [FromServices] CurrentUser Caller,
    [FromServices] HealthcareDbContext Db,
    [FromServices] Auditor Audit,
    [FromServices] TimeProvider Clock,
    [FromServices] FieldEncryption Encryption,
    HttpContext Http,
    CancellationToken CancellationToken)
{
    /// <summary>The patient record, only when it is linked to the caller's own account; audited as the patient's own access.</summary>
    public async Task<ScopedPatient?> FindPatientAsync()
    {
        var (me, patientId) = (Caller.Id, PatientId);
        Audit.Role = ClinicRoles.Patient;
        Audit.PatientId = patientId;
        var patient = await RecordQueries.FindPatientAsync(Db, p => p.Id == patientId && p.UserId == me, CancellationToken);
        Audit.ClinicId = patient?.ClinicId;
        return patient;
    }
}
