using Healthcare.Core.Clinics;
using Healthcare.Core.Identity;
using Healthcare.Core.Patients;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Records;

/// <summary>A prescription: what the patient takes, how, and from when to when. Only doctors prescribe.</summary>
public sealed class Medication : IPatientRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid ClinicId { get; init; }

    public Guid PatientId { get; init; }

    public Guid? EncounterId { get; set; }

    public required string Drug { get; set; }

    /// <summary>Amount per administration as written ("500 mg", "2 puffs").</summary>
    public required string Dose { get; set; }

    public required string Route { get; set; }

    /// <summary>As written ("twice daily", "every 8 hours as needed").</summary>
    public required string Frequency { get; set; }

    public string? Instructions { get; set; }

    public DateOnly StartDate { get; set; }

    public DateOnly? EndDate { get; set; }

    public string Status { get; set; } = MedicationStatus.Active;

    public Guid PrescriberUserId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>PostgreSQL's row version (xmin): the ETag, and the optimistic-concurrency check on update.</summary>
    public uint Version { get; private set; }
}

public static class MedicationRoutes
{
    public static readonly IReadOnlyList<string> All =
    [
        "oral", "sublingual", "buccal", "topical", "transdermal", "inhaled", "nasal", "ophthalmic", "otic", "rectal",
        "vaginal", "subcutaneous", "intramuscular", "intravenous", "other",
    ];
}

public static class MedicationStatus
{
    public const string Active = "active";
    public const string Completed = "completed";
    public const string Stopped = "stopped";
    public const string EnteredInError = "entered_in_error";

    public static readonly IReadOnlyList<string> All = [Active, Completed, Stopped, EnteredInError];
}

internal sealed class MedicationConfiguration : IEntityTypeConfiguration<Medication>
{
    public void Configure(EntityTypeBuilder<Medication> builder)
    {
        builder.Property(m => m.Drug).HasMaxLength(200);
        builder.Property(m => m.Dose).HasMaxLength(100);
        builder.Property(m => m.Route).HasMaxLength(16);
        builder.Property(m => m.Frequency).HasMaxLength(100);
        builder.Property(m => m.Instructions).HasMaxLength(1000);
        builder.Property(m => m.Status).HasMaxLength(16);
        builder.Property(m => m.Version).IsRowVersion();
        builder.HasOne<Clinic>().WithMany().HasForeignKey(m => m.ClinicId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Patient>().WithMany().HasForeignKey(m => m.PatientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Encounter>().WithMany().HasForeignKey(m => m.EncounterId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<User>().WithMany().HasForeignKey(m => m.PrescriberUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(m => new { m.PatientId, m.Id });
        // A clinic's rows in id order, read in batches by a FHIR bulk export (Fhir/BulkExportBuilder).
        builder.HasIndex(m => new { m.ClinicId, m.Id });
        builder.HasIndex(m => m.EncounterId);
        builder.HasIndex(m => m.PrescriberUserId);
        builder.ToTable(t =>
        {
            t.HasCheckConstraint("ck_medications_route", $"route IN {RecordSql.In(MedicationRoutes.All)}");
            t.HasCheckConstraint("ck_medications_status", $"status IN {RecordSql.In(MedicationStatus.All)}");
            t.HasCheckConstraint("ck_medications_dates", "end_date IS NULL OR end_date >= start_date");
            t.HasCheckConstraint("ck_medications_text", "length(btrim(drug)) > 0 AND length(btrim(dose)) > 0 AND length(btrim(frequency)) > 0");
        });
    }
}
