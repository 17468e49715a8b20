using Healthcare.Core.Patients;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Clinics;

/// <summary>A site of a clinic where practitioners see patients; it shares the clinic's time zone.</summary>
public sealed class Location
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid ClinicId { get; init; }

    public required string Name { get; set; }

    public Address? Address { get; set; }

    public string? Phone { get; set; }

    public bool IsActive { get; set; } = true;

    public DateTimeOffset CreatedAt { get; init; }

    public uint Version { get; private set; }
}

internal sealed class LocationConfiguration : IEntityTypeConfiguration<Location>
{
    public void Configure(EntityTypeBuilder<Location> builder)
    {
        builder.Property(l => l.Name).HasMaxLength(200);
        builder.Property(l => l.Phone).HasMaxLength(32);
        builder.Property(l => l.Version).IsRowVersion();
        builder.OwnsOne(l => l.Address, a => a.ToJson());
        builder.HasOne<Clinic>().WithMany().HasForeignKey(l => l.ClinicId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(l => new { l.ClinicId, l.Name }).IsUnique();
    }
}
