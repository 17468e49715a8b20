using Healthcare.Core.Clinics;
using Healthcare.Core.Identity;
using Healthcare.Core.Patients;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Records;

/// <summary>
/// A clinician's note. The body is stored only encrypted (see <see cref="Security.FieldEncryption"/>). Its
/// author edits the draft and signs it; a signed note never changes again (the database enforces this), and
/// corrections are appended as <see cref="NoteAmendment"/>s. The patient sees a note once it is signed and
/// released.
/// </summary>
public sealed class ClinicalNote : IPatientRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid ClinicId { get; init; }

    public Guid PatientId { get; init; }

    public Guid? EncounterId { get; private set; }

    public Guid AuthorUserId { get; init; }

    public required string Kind { get; set; }

    public required string BodyEncrypted { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public DateTimeOffset? SignedAt { get; private set; }

    /// <summary>Set by a clinician: the patient may read the note (once signed).</summary>
    public bool Released { get; private set; }

    public DateTimeOffset? ReleasedAt { get; private set; }

    public Guid? ReleasedByUserId { get; private set; }

    /// <summary>PostgreSQL's row version (xmin): the ETag, and the optimistic-concurrency check on update.</summary>
    public uint Version { get; private set; }

    public List<NoteAmendment> Amendments { get; init; } = [];

    public bool IsSigned => SignedAt is not null;

    public static ClinicalNote Draft(Guid clinicId, Guid patientId, Guid authorId, Guid? encounterId, string kind, string bodyEncrypted, DateTimeOffset now) =>
        new()
        {
            ClinicId = clinicId,
            PatientId = patientId,
            AuthorUserId = authorId,
            EncounterId = encounterId,
            Kind = kind,
            BodyEncrypted = bodyEncrypted,
            CreatedAt = now,
            UpdatedAt = now,
        };

    /// <summary>Replaces the draft's content; false (and no change) once signed.</summary>
    public bool TryEdit(string kind, string bodyEncrypted, Guid? encounterId, DateTimeOffset now)
    {
        if (IsSigned)
        {
            return false;
        }

        Kind = kind;
        BodyEncrypted = bodyEncrypted;
        EncounterId = encounterId;
        UpdatedAt = now;
        return true;
    }

    /// <summary>Signs the draft; false when already signed.</summary>
    public bool TrySign(DateTimeOffset now)
    {
        if (IsSigned)
        {
            return false;
        }

        SignedAt = now;
        UpdatedAt = now;
        return true;
    }

    /// <summary>Lets the patient read the note once it is signed. Releasing is not undone: the patient may have read it.</summary>
    public void Release(Guid by, DateTimeOffset now)
    {
        if (Released)
        {
            return;
        }

        Released = true;
        ReleasedAt = now;
        ReleasedByUserId = by;
        UpdatedAt = now;
    }
}

/// <summary>A correction or addition to a signed note, itself immutable and encrypted.</summary>
public sealed class NoteAmendment
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid NoteId { get; init; }

    public Guid AuthorUserId { get; init; }

    public required string BodyEncrypted { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

public static class NoteKinds
{
    public const string Progress = "progress";
    public const string HistoryAndPhysical = "history_and_physical";
    public const string Consultation = "consultation";
    public const string Procedure = "procedure";
    public const string Discharge = "discharge";
    public const string Telephone = "telephone";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Progress, HistoryAndPhysical, Consultation, Procedure, Discharge, Telephone, Other];
}

internal sealed class ClinicalNoteConfiguration : IEntityTypeConfiguration<ClinicalNote>
{
    public void Configure(EntityTypeBuilder<ClinicalNote> builder)
    {
        builder.Property(n => n.Kind).HasMaxLength(32);
        builder.Property(n => n.Version).IsRowVersion();
        builder.Ignore(n => n.IsSigned);
        builder.HasOne<Clinic>().WithMany().HasForeignKey(n => n.ClinicId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Patient>().WithMany().HasForeignKey(n => n.PatientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Encounter>().WithMany().HasForeignKey(n => n.EncounterId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<User>().WithMany().HasForeignKey(n => n.AuthorUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<User>().WithMany().HasForeignKey(n => n.ReleasedByUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(n => n.Amendments).WithOne().HasForeignKey(a => a.NoteId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(n => new { n.PatientId, n.Id });
        // A clinic's rows in id order, read in batches by a FHIR bulk export (Fhir/BulkExportBuilder).
        builder.HasIndex(n => new { n.ClinicId, n.Id });
        builder.HasIndex(n => n.EncounterId);
        builder.HasIndex(n => n.AuthorUserId);
        builder.ToTable(t =>
        {
            t.HasCheckConstraint("ck_clinical_notes_kind", $"kind IN {RecordSql.In(NoteKinds.All)}");
            t.HasCheckConstraint("ck_clinical_notes_body_encrypted", "body_encrypted LIKE 'v1.%'");
            t.HasCheckConstraint("ck_clinical_notes_released", "released = (released_at IS NOT NULL) AND released = (released_by_user_id IS NOT NULL)");
        });
    }
}

internal sealed class NoteAmendmentConfiguration : IEntityTypeConfiguration<NoteAmendment>
{
    public void Configure(EntityTypeBuilder<NoteAmendment> builder)
    {
        builder.HasOne<User>().WithMany().HasForeignKey(a => a.AuthorUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(a => new { a.NoteId, a.Id });
        builder.HasIndex(a => a.AuthorUserId);
        builder.ToTable(t => t.HasCheckConstraint("ck_note_amendments_body_encrypted", "body_encrypted LIKE 'v1.%'"));
    }
}
