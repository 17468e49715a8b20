using Healthcare.Core.Clinics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Practitioners;

/// <summary>Someone patients book: a doctor or nurse of one clinic, with the locations they work at.</summary>
public sealed class Practitioner
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid ClinicId { get; init; }

    /// <summary>The practitioner's staff account in this clinic, when they have one.</summary>
    public Guid? UserId { get; set; }

    public required string DisplayName { get; set; }

    public string? Title { get; set; }

    /// <summary>Lower-case specialty codes ("cardiology", "general-practice").</summary>
    public List<string> Specialties { get; set; } = [];

    public required string LicenceNumber { get; set; }

    public string? Bio { get; set; }

    public List<Guid> LocationIds { get; set; } = [];

    public bool IsActive { get; set; } = true;

    public DateTimeOffset CreatedAt { get; init; }

    public uint Version { get; private set; }
}

/// <summary>A weekly range in which a practitioner works at one location, in the clinic's local time.</summary>
public sealed class WorkingHours
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid ClinicId { get; init; }

    public Guid PractitionerId { get; init; }

    public Guid LocationId { get; init; }

    public DayOfWeek Day { get; init; }

    public TimeOnly Starts { get; init; }

    public TimeOnly Ends { get; init; }
}

/// <summary>An absence (leave, training) during which a practitioner cannot be booked.</summary>
public sealed class TimeOff
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid ClinicId { get; init; }

    public Guid PractitionerId { get; init; }

    public DateTimeOffset StartsAt { get; init; }

    public DateTimeOffset EndsAt { get; init; }

    /// <summary>A short staff-facing label ("annual leave"); never clinical.</summary>
    public string? Reason { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class PractitionerConfiguration : IEntityTypeConfiguration<Practitioner>
{
    public void Configure(EntityTypeBuilder<Practitioner> builder)
    {
        builder.Property(p => p.DisplayName).HasMaxLength(200);
        builder.Property(p => p.Title).HasMaxLength(100);
        builder.Property(p => p.LicenceNumber).HasMaxLength(64);
        builder.Property(p => p.Bio).HasMaxLength(2000);
        builder.Property(p => p.Version).IsRowVersion();
        builder.HasOne<Clinic>().WithMany().HasForeignKey(p => p.ClinicId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Identity.User>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(p => new { p.ClinicId, p.UserId }).IsUnique().HasFilter("user_id IS NOT NULL");
        builder.HasIndex(p => p.Specialties).HasMethod("gin");
    }
}

internal sealed class WorkingHoursConfiguration : IEntityTypeConfiguration<WorkingHours>
{
    public void Configure(EntityTypeBuilder<WorkingHours> builder)
    {
        builder.ToTable("working_hours", t => t.HasCheckConstraint("ck_working_hours_range", "starts < ends"));
        builder.HasOne<Practitioner>().WithMany().HasForeignKey(w => w.PractitionerId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Location>().WithMany().HasForeignKey(w => w.LocationId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(w => new { w.PractitionerId, w.Day });
    }
}

internal sealed class TimeOffConfiguration : IEntityTypeConfiguration<TimeOff>
{
    public void Configure(EntityTypeBuilder<TimeOff> builder)
    {
        builder.ToTable("time_off", t => t.HasCheckConstraint("ck_time_off_range", "starts_at < ends_at"));
        builder.Property(t => t.Reason).HasMaxLength(200);
        builder.HasOne<Practitioner>().WithMany().HasForeignKey(t => t.PractitionerId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(t => new { t.PractitionerId, t.StartsAt });
    }
}
