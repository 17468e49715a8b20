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

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Staff of this clinic must sign in with a second factor to act in it.</summary>
    public bool RequireStaffMfa { get; set; }
}

internal sealed class ClinicConfiguration : IEntityTypeConfiguration<Clinic>
{
    public void Configure(EntityTypeBuilder<Clinic> builder)
    {
        builder.Property(c => c.Name).HasMaxLength(200);
        builder.Property(c => c.TimeZone).HasMaxLength(64);
        builder.HasIndex(c => c.Name).IsUnique();
        builder.ToTable(t => t.HasCheckConstraint("ck_clinics_name_not_blank", "length(btrim(name)) > 0"));
    }
}
