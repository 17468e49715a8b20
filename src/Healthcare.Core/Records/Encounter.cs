using Healthcare.Core.Clinics;
using Healthcare.Core.Identity;
using Healthcare.Core.Patients;
using Healthcare.Core.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Records;

/// <summary>A clinical contact with the patient, usually the visit an appointment booked.</summary>
public sealed class Encounter : IPatientRecord
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid ClinicId { get; init; }

    public Guid PatientId { get; init; }

    /// <summary>The appointment this encounter took place in; none for a walk-in or a telephone contact.</summary>
    public Guid? AppointmentId { get; init; }

    /// <summary>The clinician responsible for the encounter.</summary>
    public Guid ClinicianUserId { get; init; }

    public string Status { get; set; } = EncounterStatus.InProgress;

    /// <summary>Why the patient came (chief complaint), short.</summary>
    public string? Reason { get; set; }

    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>PostgreSQL's row version (xmin): the ETag, and the optimistic-concurrency check on update.</summary>
    public uint Version { get; private set; }
}

public static class EncounterStatus
{
    public const string InProgress = "in_progress";
    public const string Finished = "finished";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [InProgress, Finished, Cancelled];
}

internal sealed class EncounterConfiguration : IEntityTypeConfiguration<Encounter>
{
    public void Configure(EntityTypeBuilder<Encounter> builder)
    {
        builder.Property(e => e.Status).HasMaxLength(16);
        builder.Property(e => e.Reason).HasMaxLength(500);
        builder.Property(e => e.Version).IsRowVersion();
        builder.HasOne<Clinic>().WithMany().HasForeignKey(e => e.ClinicId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Patient>().WithMany().HasForeignKey(e => e.PatientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Appointment>().WithMany().HasForeignKey(e => e.AppointmentId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<User>().WithMany().HasForeignKey(e => e.ClinicianUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(e => new { e.PatientId, e.Id });
        // A clinic's rows in id order, read in batches by a FHIR bulk export (Fhir/BulkExportBuilder).
        builder.HasIndex(e => new { e.ClinicId, e.Id });
        // One encounter per appointment.
        builder.HasIndex(e => e.AppointmentId).IsUnique().HasFilter("appointment_id IS NOT NULL");
        builder.HasIndex(e => e.ClinicianUserId);
        builder.ToTable(t =>
        {
            t.HasCheckConstraint("ck_encounters_status", $"status IN {RecordSql.In(EncounterStatus.All)}");
            t.HasCheckConstraint("ck_encounters_times", "ended_at IS NULL OR ended_at >= started_at");
            t.HasCheckConstraint("ck_encounters_ended", "(status = 'in_progress') = (ended_at IS NULL)");
        });
    }
}
