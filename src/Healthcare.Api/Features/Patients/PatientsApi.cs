using System.ComponentModel.DataAnnotations;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Patients;
using Healthcare.Core.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Patients;

/// <summary>A clinic's patients: create, read, update with optimistic concurrency, search and exact lookup.</summary>
public static class PatientsApi
{
    private const string PatientResource = "Patient";
    private static readonly HashSet<string> SearchParameters = ["name", "dateOfBirth"];

    public static IEndpointRouteBuilder MapPatientsApi(this IEndpointRouteBuilder endpoints)
    {
        var patients = endpoints.MapGroup("/api/v1/clinics/{clinicId:guid}/patients").WithTags("Patients")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        patients.MapPost("", Create)
            .ReturnsETag()
            .RequirePermission(Permissions.PatientsWrite)
            .Audited(AuditActions.Create, PatientResource)
            .WithName("CreatePatient")
            .WithSummary("Register a patient; the answer warns of likely duplicates (same name and date of birth).")
            .ProducesValidationProblem()
            .Idempotent();
        patients.MapGet("/{id:guid}", Get)
            .ReturnsETag()
            .RequirePermission(Permissions.PatientsRead)
            .Audited(AuditActions.Read, PatientResource)
            .WithName("GetPatient")
            .WithSummary("A patient's demographics; the ETag is the version to send as If-Match when updating.");
        patients.MapPut("/{id:guid}", Update)
            .RequirePermission(Permissions.PatientsWrite)
            .Audited(AuditActions.Update, PatientResource)
            .WithName("UpdatePatient")
            .WithSummary("Replace a patient's demographics. Needs If-Match with the current ETag (428 without, 412 when stale).")
            .ProducesValidationProblem()
            .RequiresIfMatch();
        patients.MapGet("", Search)
            .RequirePermission(Permissions.PatientsRead)
            .Audited(AuditActions.Read, "PatientSearch")
            .WithName("SearchPatients")
            .WithSummary("Find patients by name prefix and/or date of birth; keyset paginated.")
            .ProducesValidationProblem();
        patients.MapPost("/lookup", Lookup)
            .RequirePermission(Permissions.PatientsRead)
            .Audited(AuditActions.Read, "PatientLookup")
            .WithName("LookupPatient")
            .WithSummary("Find patients by exact national id or insurance member id (sent in the body, never in the URL).")
            .ProducesValidationProblem();
        return endpoints;
    }

    private static async Task<Results<Created<PatientCreatedDto>, ValidationProblem>> Create(
        Guid clinicId, PatientRequest request, HttpContext http, HealthcareDbContext db, FieldEncryption encryption, TimeProvider clock,
        CurrentUser caller, Auditor audit, CancellationToken cancellationToken)
    {
        if (request.Validate(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime)) is { } invalid)
        {
            return invalid;
        }

        var now = clock.GetUtcNow();
        var patient = new Patient
        {
            ClinicId = clinicId,
            GivenName = request.GivenName.Trim(),
            FamilyName = request.FamilyName.Trim(),
            Sex = request.Sex,
            CreatedAt = now,
        };
        request.ApplyTo(patient, encryption, now, caller.Id);
        var duplicates = await db.Patients
            .Where(p => p.ClinicId == clinicId && p.SearchName == patient.SearchName && p.DateOfBirth == patient.DateOfBirth)
            .Select(p => p.Id)
            .ToListAsync(cancellationToken);
        db.Patients.Add(patient);
        await db.SaveChangesAsync(cancellationToken);
        audit.PatientId = patient.Id;
        audit.ResourceId = patient.Id.ToString();
        http.SetETag(patient.Version);
        return TypedResults.Created(
            $"/api/v1/clinics/{clinicId}/patients/{patient.Id}",
            new PatientCreatedDto(patient.ToDto(), duplicates));
    }

    private static async Task<Results<Ok<PatientDto>, NotFound>> Get(
        Guid clinicId, Guid id, HttpContext http, HealthcareDbContext db, Auditor audit, CancellationToken cancellationToken)
    {
        audit.PatientId = id;
        // Scoped in the query: another clinic's patient is simply not found.
        var patient = await db.Patients.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id && p.ClinicId == clinicId, cancellationToken);
        if (patient is null)
        {
            return TypedResults.NotFound();
        }

        http.SetETag(patient.Version);
        return TypedResults.Ok(patient.ToDto());
    }

    private static Task<Results<Ok<PatientDto>, NotFound, ValidationProblem, ProblemHttpResult>> Update(
        Guid clinicId, Guid id, PatientRequest request, HttpContext http, HealthcareDbContext db, FieldEncryption encryption,
        TimeProvider clock, CurrentUser caller, Auditor audit, CancellationToken cancellationToken)
    {
        audit.PatientId = id;
        return ConcurrencyCheckedUpdates.UpdateAsync(
            http, db, "patient",
            validate: () => request.Validate(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime)),
            load: () => db.Patients.SingleOrDefaultAsync(p => p.Id == id && p.ClinicId == clinicId, cancellationToken),
            version: p => p.Version,
            apply: patient =>
            {
                patient.GivenName = request.GivenName.Trim();
                patient.FamilyName = request.FamilyName.Trim();
                patient.Sex = request.Sex;
                request.ApplyTo(patient, encryption, clock.GetUtcNow(), caller.Id);
                return ConcurrencyCheckedUpdates.Applied;
            },
            answer: patient => Task.FromResult(patient.ToDto()));
    }

    private static async Task<Results<Ok<Page<PatientDto>>, ValidationProblem>> Search(
        Guid clinicId, HttpContext http, HealthcareDbContext db, string? name, DateOnly? dateOfBirth, int? limit, string? cursor,
        CancellationToken cancellationToken)
    {
        if (Paging.Check(http, SearchParameters, limit) is { } invalid)
        {
            return invalid;
        }

        if (string.IsNullOrWhiteSpace(name) && dateOfBirth is null)
        {
            return Problems.Field("name", "Give a name prefix, a date of birth, or both.");
        }

        var query = db.Patients.AsNoTracking().Where(p => p.ClinicId == clinicId);
        if (!string.IsNullOrWhiteSpace(name))
        {
            var prefix = Patient.NormalizeName(name);
            // Prefix match on "family given": "smi" finds Smith; "smith j" finds Smith, John.
            query = query.Where(p => p.SearchName.StartsWith(prefix));
        }

        if (dateOfBirth is { } dob)
        {
            query = query.Where(p => p.DateOfBirth == dob);
        }

        if (cursor is not null)
        {
            if (!Paging.TryReadCursor(cursor, out var after))
            {
                return Paging.BadCursor();
            }

            query = query.Where(p => p.Id.CompareTo(after.Id) > 0);
        }

        var size = limit ?? Paging.DefaultLimit;
        var page = await query.OrderBy(p => p.Id).Take(size + 1).ToListAsync(cancellationToken);
        var items = page.Take(size).Select(p => p.ToDto()).ToList();
        var next = page.Count > size ? Paging.NextLink(http, Paging.Cursor(items[^1].Id)) : null;
        return TypedResults.Ok(new Page<PatientDto>(items, next));
    }

    private static async Task<Results<Ok<List<PatientDto>>, ValidationProblem>> Lookup(
        Guid clinicId, PatientLookupRequest request, HealthcareDbContext db, FieldEncryption encryption, CancellationToken cancellationToken)
    {
        var nationalId = encryption.BlindIndex(request.NationalId, PatientRequest.NationalIdPurpose);
        var memberId = encryption.BlindIndex(request.InsuranceMemberId, PatientRequest.InsuranceMemberIdPurpose);
        if (nationalId is null && memberId is null)
        {
            return Problems.Field("nationalId", "Give a national id or an insurance member id.");
        }

        var matches = await db.Patients.AsNoTracking()
            .Where(p => p.ClinicId == clinicId &&
                ((nationalId != null && p.NationalIdIndex == nationalId) || (memberId != null && p.InsuranceMemberIdIndex == memberId)))
            .Take(10)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(matches.Select(p => p.ToDto()).ToList());
    }
}
