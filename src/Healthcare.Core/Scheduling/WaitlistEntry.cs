using Healthcare.Core.Practitioners;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Scheduling;

/// <summary>A patient waiting for an earlier slot with a practitioner between two dates (clinic-local).</summary>
public sealed class WaitlistEntry
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid ClinicId { get; init; }

    public Guid PatientId { get; init; }

    public Guid PractitionerId { get; init; }

    public Guid AppointmentTypeId { get; init; }

    public DateOnly FromDate { get; init; }

    public DateOnly ToDate { get; init; }

    public string Status { get; set; } = WaitlistStatus.Waiting;

    /// <summary>The held appointment offered to this patient, while the offer stands.</summary>
    public Guid? OfferedAppointmentId { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }
}

public static class WaitlistStatus
{
    public const string Waiting = "waiting";
    public const string Offered = "offered";
    public const string Booked = "booked";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Waiting, Offered, Booked, Cancelled];
}

internal sealed class WaitlistEntryConfiguration : IEntityTypeConfiguration<WaitlistEntry>
{
    public void Configure(EntityTypeBuilder<WaitlistEntry> builder)
    {
        builder.ToTable("waitlist_entries", t =>
        {
            t.HasCheckConstraint("ck_waitlist_entries_status", "status IN ('waiting', 'offered', 'booked', 'cancelled')");
            t.HasCheckConstraint("ck_waitlist_entries_dates", "from_date <= to_date");
        });
        builder.Property(w => w.Status).HasMaxLength(16);
        builder.HasOne<Patients.Patient>().WithMany().HasForeignKey(w => w.PatientId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Practitioner>().WithMany().HasForeignKey(w => w.PractitionerId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<AppointmentType>().WithMany().HasForeignKey(w => w.AppointmentTypeId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Appointment>().WithMany().HasForeignKey(w => w.OfferedAppointmentId).OnDelete(DeleteBehavior.SetNull);
        // First come, first offered.
        builder.HasIndex(w => new { w.PractitionerId, w.Status, w.CreatedAt });
        builder.HasIndex(w => w.PatientId);
    }
}
