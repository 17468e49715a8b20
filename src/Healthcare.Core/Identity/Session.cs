using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Identity;

/// <summary>
/// A signed-in device: one family of rotating refresh tokens. Revoking the session ends the family and
/// invalidates its access tokens on their next request.
/// </summary>
public sealed class Session
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid UserId { get; init; }

    public User? User { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset LastUsedAt { get; set; }

    /// <summary>Automatic logoff: the session ends when it is not refreshed before this moment.</summary>
    public DateTimeOffset IdleExpiresAt { get; set; }

    /// <summary>The session ends at this moment however active it is.</summary>
    public DateTimeOffset AbsoluteExpiresAt { get; init; }

    public DateTimeOffset? RevokedAt { get; set; }

    public string? RevokedReason { get; set; }

    public string? IpAddress { get; init; }

    public string? UserAgent { get; init; }

    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && now < IdleExpiresAt && now < AbsoluteExpiresAt;

    public void Revoke(DateTimeOffset now, string reason)
    {
        if (RevokedAt is null)
        {
            RevokedAt = now;
            RevokedReason = reason;
        }
    }
}

/// <summary>One refresh token of a session, stored only as its SHA-256 hash. Each is used once.</summary>
public sealed class RefreshToken
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid SessionId { get; init; }

    public Session? Session { get; init; }

    public required byte[] TokenHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was exchanged for its successor; presenting it again is reuse.</summary>
    public DateTimeOffset? UsedAt { get; set; }
}

public static class SessionRevocations
{
    public const string Logout = "logout";
    public const string LogoutAll = "logout-all";
    public const string Revoked = "revoked-by-user";
    public const string TokenReuse = "refresh-token-reuse";
    public const string AccountDisabled = "account-disabled";
    public const string PasswordChanged = "password-changed";
    public const string MfaChanged = "mfa-changed";
    public const string EmailChanged = "email-changed";
}

internal sealed class SessionConfiguration : IEntityTypeConfiguration<Session>
{
    public void Configure(EntityTypeBuilder<Session> builder)
    {
        builder.Property(s => s.RevokedReason).HasMaxLength(40);
        builder.Property(s => s.IpAddress).HasMaxLength(64);
        builder.Property(s => s.UserAgent).HasMaxLength(256);
        builder.HasIndex(s => s.UserId);
        builder.HasOne(s => s.User).WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RefreshTokenConfiguration : IEntityTypeConfiguration<RefreshToken>
{
    public void Configure(EntityTypeBuilder<RefreshToken> builder)
    {
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.HasIndex(t => t.SessionId);
        builder.HasOne(t => t.Session).WithMany().HasForeignKey(t => t.SessionId).OnDelete(DeleteBehavior.Cascade);
        builder.ToTable(t => t.HasCheckConstraint("ck_refresh_tokens_hash_length", "octet_length(token_hash) = 32"));
    }
}
