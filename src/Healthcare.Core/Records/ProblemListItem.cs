using System.Text.RegularExpressions;
using Healthcare.Core.Clinics;
using Healthcare.Core.Identity;
using Healthcare.Core.Patients;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Records;

/// <summary>An entry of the patient's problem list: a condition, optionally coded in ICD-10.</summary>
public sealed partial class ProblemListItem : IPatientRecord
{
    /// <summary>ICD-10 (and ICD-10-CM) code shape: letter, two characters, then optionally a dot and 1-4 more (E11.9, S52.521A).</summary>
    public const string Icd10Pattern = @"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$";

    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid ClinicId { get; init; }

    public Guid PatientId { get; init; }

    public required string Condition { get; set; }

    public string? Icd10Code { get; set; }

    public string Status { get; set; } = ProblemStatus.Active;

    public DateOnly? OnsetDate { get; set; }

    public DateOnly? ResolvedDate { get; set; }

    public Guid RecordedByUserId { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>PostgreSQL's row version (xmin): the ETag, and the optimistic-concurrency check on update.</summary>
    public uint Version { get; private set; }

    public static bool IsIcd10Code(string code) => Icd10().IsMatch(code);

    [GeneratedRegex(Icd10Pattern, RegexOptions.CultureInvariant)]
    private static partial Regex Icd10();
}

public static class ProblemStatus
{
    public const string Active = "active";
    public const string Resolved = "resolved";
    public const string EnteredInError = "entered_in_error";

    public static readonly IReadOnlyList<string> All = [Active, Resolved, EnteredInError];
}

internal sealed class ProblemListItemConfiguration : IEntityTypeConfiguration<ProblemListItem>
{
    public void Configure(EntityTypeBuilder<ProblemListItem> builder)
    {
        builder.Property(p => p.Condition).HasMaxLength(300);
        builder.Property(p => p.Icd10Code).HasMaxLength(8).HasColumnName("icd10_code");
        builder.Property(p => p.Status).HasMaxLength(16);
        builder.Property(p => p.Version).IsRowVersion();
        builder.HasOne<Clinic>().WithMany().HasForeignKey(p => p.ClinicId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Patient>().WithMany().HasForeignKey(p => p.PatientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<User>().WithMany().HasForeignKey(p => p.RecordedByUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(p => new { p.PatientId, p.Id });
        // A clinic's rows in id order, read in batches by a FHIR bulk export (Fhir/BulkExportBuilder).
        builder.HasIndex(p => new { p.ClinicId, p.Id });
        builder.HasIndex(p => p.RecordedByUserId);
        builder.ToTable(t =>
        {
            t.HasCheckConstraint("ck_problem_list_items_status", $"status IN {RecordSql.In(ProblemStatus.All)}");
            t.HasCheckConstraint("ck_problem_list_items_icd10", $"icd10_code IS NULL OR icd10_code ~ '{ProblemListItem.Icd10Pattern}'");
            t.HasCheckConstraint("ck_problem_list_items_resolved", "resolved_date IS NULL OR (status = 'resolved' AND (onset_date IS NULL OR resolved_date >= onset_date))");
            t.HasCheckConstraint("ck_problem_list_items_condition", "length(btrim(condition)) > 0");
        });
    }
}
