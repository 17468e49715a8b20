using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Identity;

/// <summary>
/// A single-use, expiring proof that the holder reads <see cref="Email"/>: sent there when an account registers or asks
/// to move to another address, and stored only as the token's SHA-256 hash. Using it verifies the address (and, for a
/// change, makes it the account's address).
/// </summary>
public sealed class EmailVerification
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid UserId { get; init; }

    /// <summary>The address being proven, normalized: the account's own, or the one it is moving to.</summary>
    public required string Email { get; init; }

    public required byte[] TokenHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset? UsedAt { get; set; }
}

internal sealed class EmailVerificationConfiguration : IEntityTypeConfiguration<EmailVerification>
{
    public void Configure(EntityTypeBuilder<EmailVerification> builder)
    {
        builder.Property(v => v.Email).HasMaxLength(254);
        builder.HasIndex(v => v.TokenHash).IsUnique();
        builder.HasIndex(v => v.UserId);
        builder.HasOne<User>().WithMany().HasForeignKey(v => v.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
