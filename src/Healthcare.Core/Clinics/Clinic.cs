using Healthcare.Core.Patients;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Clinics;

/// <summary>A clinic: the unit that owns staff, patients and appointments.</summary>
public sealed class Clinic
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public required string Name { get; set; }

    /// <summary>IANA time zone id (Europe/Berlin) in which the clinic's hours and appointments are expressed.</summary>
    public required string TimeZone { get; set; }

    public Address? Address { get; set; }

    public string? Phone { get; set; }

    public string? Email { get; set; }

    /// <summary>When the clinic is open, in its own time zone; at most one range per weekday.</summary>
    public List<OpeningHours> OpeningHours { get; set; } = [];

    public AppointmentPolicy Policy { get; set; } = new();

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Staff of this clinic must sign in with a second factor to act in it.</summary>
    public bool RequireStaffMfa { get; set; }

    /// <summary>PostgreSQL's row version (xmin): the ETag, and the optimistic-concurrency check on update.</summary>
    public uint Version { get; private set; }
}

public sealed record OpeningHours(DayOfWeek Day, TimeOnly Opens, TimeOnly Closes);

/// <summary>The clinic's rules for appointments.</summary>
public sealed record AppointmentPolicy
{
    /// <summary>Inside this many hours before the start, only staff may cancel.</summary>
    public int CancellationWindowHours { get; init; } = 24;

    /// <summary>How long before the start reminders go out, in minutes (default 24 h and 2 h).</summary>
    public List<int> ReminderOffsetsMinutes { get; init; } = [1440, 120];

    /// <summary>A booked appointment not checked in this many minutes after its start counts as a no-show.</summary>
    public int NoShowGraceMinutes { get; init; } = 15;

    /// <summary>How long a waitlist offer holds a freed slot before it goes to the next patient.</summary>
    public int WaitlistHoldMinutes { get; init; } = 120;
}

internal sealed class ClinicConfiguration : IEntityTypeConfiguration<Clinic>
{
    public void Configure(EntityTypeBuilder<Clinic> builder)
    {
        builder.Property(c => c.Name).HasMaxLength(200);
        builder.Property(c => c.TimeZone).HasMaxLength(64);
        builder.Property(c => c.Phone).HasMaxLength(32);
        builder.Property(c => c.Email).HasMaxLength(254);
        builder.Property(c => c.Version).IsRowVersion();
        builder.OwnsOne(c => c.Address, a => a.ToJson());
        builder.OwnsMany(c => c.OpeningHours, h => h.ToJson());
        builder.OwnsOne(c => c.Policy, p => p.ToJson());
        builder.HasIndex(c => c.Name).IsUnique();
        builder.ToTable(t => t.HasCheckConstraint("ck_clinics_name_not_blank", "length(btrim(name)) > 0"));
    }
}
