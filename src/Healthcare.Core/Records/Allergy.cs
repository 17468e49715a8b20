using Healthcare.Core.Clinics;
using Healthcare.Core.Identity;
using Healthcare.Core.Patients;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Records;

/// <summary>An allergy or intolerance. Never deleted: a mistaken entry is marked entered_in_error.</summary>
public sealed class Allergy : IPatientRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid ClinicId { get; init; }

    public Guid PatientId { get; init; }

    public required string Substance { get; set; }

    public string? Reaction { get; set; }

    public required string Severity { get; set; }

    public string Status { get; set; } = AllergyStatus.Active;

    public DateOnly? OnsetDate { get; set; }

    public Guid RecordedByUserId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>PostgreSQL's row version (xmin): the ETag, and the optimistic-concurrency check on update.</summary>
    public uint Version { get; private set; }
}

public static class AllergySeverity
{
    public static readonly IReadOnlyList<string> All = ["mild", "moderate", "severe", "life_threatening"];
}

public static class AllergyStatus
{
    public const string Active = "active";
    public const string Inactive = "inactive";
    public const string Resolved = "resolved";
    public const string EnteredInError = "entered_in_error";

    public static readonly IReadOnlyList<string> All = [Active, Inactive, Resolved, EnteredInError];
}

internal sealed class AllergyConfiguration : IEntityTypeConfiguration<Allergy>
{
    public void Configure(EntityTypeBuilder<Allergy> builder)
    {
        builder.Property(a => a.Substance).HasMaxLength(200);
        builder.Property(a => a.Reaction).HasMaxLength(500);
        builder.Property(a => a.Severity).HasMaxLength(16);
        builder.Property(a => a.Status).HasMaxLength(16);
        builder.Property(a => a.Version).IsRowVersion();
        builder.HasOne<Clinic>().WithMany().HasForeignKey(a => a.ClinicId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Patient>().WithMany().HasForeignKey(a => a.PatientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<User>().WithMany().HasForeignKey(a => a.RecordedByUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(a => new { a.PatientId, a.Id });
        // A clinic's rows in id order, read in batches by a FHIR bulk export (Fhir/BulkExportBuilder).
        builder.HasIndex(a => new { a.ClinicId, a.Id });
        builder.HasIndex(a => a.RecordedByUserId);
        builder.ToTable(t =>
        {
            t.HasCheckConstraint("ck_allergies_severity", $"severity IN {RecordSql.In(AllergySeverity.All)}");
            t.HasCheckConstraint("ck_allergies_status", $"status IN {RecordSql.In(AllergyStatus.All)}");
            t.HasCheckConstraint("ck_allergies_substance", "length(btrim(substance)) > 0");
        });
    }
}
