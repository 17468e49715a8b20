using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Audit;

/// <summary>
/// One row of the append-only, hash-chained audit trail (HIPAA 164.312(b) and (c)). Rows are written only
/// through <see cref="AuditLog"/>; the database assigns <see cref="Id"/>, <see cref="PreviousHash"/> and
/// <see cref="Hash"/> and refuses UPDATE, DELETE and TRUNCATE.
/// </summary>
public sealed class AuditEvent
{
    public long Id { get; init; }

    /// <summary>The chain the row belongs to: its clinic, or <see cref="Guid.Empty"/> for platform events.</summary>
    public Guid ChainId { get; init; }

    public DateTimeOffset OccurredAt { get; init; }

    public Guid? UserId { get; init; }

    public string? UserRole { get; init; }

    public Guid? ClinicId { get; init; }

    public required string Action { get; init; }

    public required string ResourceType { get; init; }

    public string? ResourceId { get; init; }

    public Guid? PatientId { get; init; }

    public required string Outcome { get; init; }

    public string? IpAddress { get; init; }

    public string? UserAgent { get; init; }

    public string? RequestId { get; init; }

    /// <summary>Why the access happened, where the actor had to say (emergency access).</summary>
    public string? Reason { get; init; }

    public byte[]? PreviousHash { get; init; }

    public byte[] Hash { get; init; } = [];
}

internal sealed class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.ToTable("audit_events");
        // Assigned by the insert trigger, in chain order, from audit_events_id_seq.
        builder.Property(e => e.Id).ValueGeneratedNever();
        builder.Property(e => e.UserRole).HasMaxLength(32);
        builder.Property(e => e.Action).HasMaxLength(40);
        builder.Property(e => e.ResourceType).HasMaxLength(60);
        builder.Property(e => e.ResourceId).HasMaxLength(100);
        builder.Property(e => e.Outcome).HasMaxLength(16);
        builder.Property(e => e.IpAddress).HasMaxLength(64);
        builder.Property(e => e.UserAgent).HasMaxLength(256);
        builder.Property(e => e.RequestId).HasMaxLength(128);
        builder.Property(e => e.Reason).HasMaxLength(1000);
        builder.HasIndex(e => new { e.ChainId, e.Id });
        builder.HasIndex(e => new { e.ClinicId, e.OccurredAt });
        builder.HasIndex(e => new { e.PatientId, e.OccurredAt });
        builder.HasIndex(e => new { e.UserId, e.OccurredAt });
        builder.ToTable(t => t.HasCheckConstraint("ck_audit_events_outcome", "outcome IN ('success', 'denied', 'failure')"));
    }
}
