using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Patients;
using Healthcare.Core.Records;
using Healthcare.Core.Security;
using Healthcare.Testing;
using Microsoft.Extensions.Options;

namespace Healthcare.IntegrationTests.Identity;

/// <summary>
/// How the authorization matrix makes a real resource for a route parameter, keyed by the collection segment
/// before the parameter. A factory gets the values made for earlier parameters of the same route.
/// </summary>
internal static class MatrixResources
{
    public delegate Task<Guid> Factory(HealthcareDbContext db, Guid clinicId, IReadOnlyDictionary<string, Guid> earlier);

    private static readonly FieldEncryption Encryption = new(Options.Create(new FieldEncryptionOptions
    {
        Keys = TestKeys.DataEncryptionKeys,
        BlindIndexKey = TestKeys.BlindIndexKey,
    }));

    public static readonly IReadOnlyDictionary<string, Factory> Factories = new Dictionary<string, Factory>
    {
        ["patients"] = (db, clinicId, _) => PatientAsync(db, clinicId),
        ["encounters"] = (db, clinicId, earlier) => RecordAsync(db, author => new Encounter
        {
            ClinicId = clinicId,
            PatientId = earlier["patientId"],
            ClinicianUserId = author,
            StartedAt = DateTimeOffset.UtcNow,
        }),
        // Signed, so that no caller is refused for not being its author: edits answer 428/409 instead.
        ["notes"] = (db, clinicId, earlier) => RecordAsync(db, author =>
        {
            var note = ClinicalNote.Draft(clinicId, earlier["patientId"], author, null, NoteKinds.Progress, Encryption.Encrypt("Matrix note")!, DateTimeOffset.UtcNow);
            note.TrySign(DateTimeOffset.UtcNow);
            return note;
        }),
        ["allergies"] = (db, clinicId, earlier) => RecordAsync(db, author => new Allergy
        {
            ClinicId = clinicId,
            PatientId = earlier["patientId"],
            Substance = "Penicillin",
            Severity = "severe",
            RecordedByUserId = author,
        }),
        ["medications"] = (db, clinicId, earlier) => RecordAsync(db, author => new Medication
        {
            ClinicId = clinicId,
            PatientId = earlier["patientId"],
            Drug = "Metformin",
            Dose = "500 mg",
            Route = "oral",
            Frequency = "twice daily",
            StartDate = new DateOnly(2026, 1, 1),
            PrescriberUserId = author,
        }),
        ["problems"] = (db, clinicId, earlier) => RecordAsync(db, author => new ProblemListItem
        {
            ClinicId = clinicId,
            PatientId = earlier["patientId"],
            Condition = "Type 2 diabetes mellitus",
            Icd10Code = "E11.9",
            RecordedByUserId = author,
        }),
    };

    public static async Task<Guid> PatientAsync(HealthcareDbContext db, Guid clinicId)
    {
        var patient = new Patient
        {
            ClinicId = clinicId,
            GivenName = "Matrix",
            FamilyName = "Patient",
            Sex = "unknown",
            DateOfBirth = new DateOnly(1990, 1, 1),
        };
        patient.RefreshSearchName();
        db.Patients.Add(patient);
        await db.SaveChangesAsync();
        return patient.Id;
    }

    /// <summary>A record of the patient, written by a clinician made for it.</summary>
    private static async Task<Guid> RecordAsync<T>(HealthcareDbContext db, Func<Guid, T> create)
        where T : class, IPatientRecord
    {
        var author = new User { Email = $"author.{Guid.NewGuid():N}@tests.healthcare.test", DisplayName = "Matrix clinician", PasswordHash = "-" };
        db.Users.Add(author);
        var record = create(author.Id);
        db.Add(record);
        await db.SaveChangesAsync();
        return record.Id;
    }
}
