using Healthcare.Core.Clinics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Scheduling;

/// <summary>What can be booked at a clinic: how the visit happens, how long it takes and the pause after it.</summary>
public sealed class AppointmentType
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid ClinicId { get; init; }

    public required string Name { get; set; }

    /// <summary>One of <see cref="VisitModes"/>.</summary>
    public required string Mode { get; set; }

    public int DurationMinutes { get; set; }

    /// <summary>Time the practitioner needs after the visit (notes, cleaning) before the next one.</summary>
    public int BufferMinutes { get; set; }

    public bool IsActive { get; set; } = true;

    public DateTimeOffset CreatedAt { get; init; }

    public uint Version { get; private set; }
}

public static class VisitModes
{
    public const string InPerson = "in_person";
    public const string Video = "video";
    public const string HomeVisit = "home_visit";

    public static readonly IReadOnlyList<string> All = [InPerson, Video, HomeVisit];
}

internal sealed class AppointmentTypeConfiguration : IEntityTypeConfiguration<AppointmentType>
{
    public void Configure(EntityTypeBuilder<AppointmentType> builder)
    {
        builder.Property(t => t.Name).HasMaxLength(200);
        builder.Property(t => t.Mode).HasMaxLength(16);
        builder.Property(t => t.Version).IsRowVersion();
        builder.HasOne<Clinic>().WithMany().HasForeignKey(t => t.ClinicId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(t => new { t.ClinicId, t.Name }).IsUnique();
        builder.ToTable(t =>
        {
            t.HasCheckConstraint("ck_appointment_types_mode", "mode IN ('in_person', 'video', 'home_visit')");
            t.HasCheckConstraint("ck_appointment_types_duration", "duration_minutes BETWEEN 5 AND 480");
            t.HasCheckConstraint("ck_appointment_types_buffer", "buffer_minutes BETWEEN 0 AND 120");
        });
    }
}
