using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Platform;

/// <summary>
/// One use of an <c>Idempotency-Key</c>: reserved (pending) while the request runs, then holding the answer that
/// a retry with the same key and body gets again. Unique per caller and key; expires 24 hours after creation.
/// </summary>
public sealed class IdempotencyRecord
{
    /// <summary>Identifies one reservation; a takeover of an expired or abandoned row gives it a new id.</summary>
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>The caller (the token's <c>sub</c>); null for anonymous callers, who share one scope.</summary>
    public Guid? UserId { get; init; }

    /// <summary>The client's key, 1-255 printable ASCII characters.</summary>
    public required string Key { get; init; }

    public required string Method { get; init; }

    /// <summary>The route template, e.g. <c>/api/v1/clinics/{clinicId:guid}/patients</c>.</summary>
    public required string Route { get; init; }

    /// <summary>The actual path, so a key used for one clinic cannot be replayed for another.</summary>
    public required string Path { get; init; }

    /// <summary>SHA-256 of the request body as sent.</summary>
    public required byte[] RequestHash { get; init; }

    /// <summary><see cref="IdempotencyStates.Pending"/> while the request runs, then <see cref="IdempotencyStates.Completed"/>.</summary>
    public required string State { get; init; }

    public int? ResponseStatus { get; init; }

    public string? ResponseContentType { get; init; }

    public string? ResponseLocation { get; init; }

    public string? ResponseETag { get; init; }

    /// <summary>The answer's body, encrypted like other sensitive fields (it may hold patient data).</summary>
    public string? ResponseBody { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }
}

public static class IdempotencyStates
{
    public const string Pending = "pending";
    public const string Completed = "completed";
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.ToTable("idempotency_keys", t =>
        {
            t.HasCheckConstraint("ck_idempotency_keys_state", "state IN ('pending', 'completed')");
            t.HasCheckConstraint("ck_idempotency_keys_request_hash_length", "octet_length(request_hash) = 32");
            t.HasCheckConstraint("ck_idempotency_keys_completed_status", "state = 'pending' OR response_status IS NOT NULL");
        });
        builder.Property(r => r.Key).HasMaxLength(IdempotencyStore.MaxKeyLength);
        builder.Property(r => r.Method).HasMaxLength(16);
        builder.Property(r => r.State).HasMaxLength(16);
        builder.Property(r => r.ResponseContentType).HasMaxLength(200);
        builder.Property(r => r.ResponseETag).HasColumnName("response_etag").HasMaxLength(200);
        // Two concurrent first uses of a key cannot both insert: the loser learns the key is taken. Anonymous
        // callers (null) share one scope, so nulls must collide too.
        builder.HasIndex(r => new { r.UserId, r.Key }).IsUnique().AreNullsDistinct(false);
        // The purge deletes by expiry.
        builder.HasIndex(r => r.ExpiresAt);
    }
}
