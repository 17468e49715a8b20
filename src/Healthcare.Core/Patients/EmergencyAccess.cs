using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Patients;

/// <summary>
/// "Break-glass" access (HIPAA 164.312(a)(2)(ii)): a clinician opens a patient's record outside their normal
/// scope by stating a reason. The grant is short-lived, every use is audited and flagged, and the patient's
/// clinic admins are told.
/// </summary>
public sealed class EmergencyAccess
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(60);

    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid UserId { get; init; }

    public Guid PatientId { get; init; }

    public Guid ClinicId { get; init; }

    public required string Reason { get; init; }

    public DateTimeOffset GrantedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }
}

internal sealed class EmergencyAccessConfiguration : IEntityTypeConfiguration<EmergencyAccess>
{
    public void Configure(EntityTypeBuilder<EmergencyAccess> builder)
    {
        builder.ToTable("emergency_access_grants");
        builder.Property(e => e.Reason).HasMaxLength(1000);
        builder.HasIndex(e => new { e.UserId, e.PatientId, e.ExpiresAt });
        builder.HasOne<Patient>().WithMany().HasForeignKey(e => e.PatientId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Identity.User>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.ToTable(t => t.HasCheckConstraint("ck_emergency_access_reason", "length(btrim(reason)) >= 10"));
    }
}
