using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Identity;

/// <summary>A person who signs in: staff, patient or platform administrator.</summary>
public sealed class User
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>Lower-cased, trimmed e-mail address; unique.</summary>
    public required string Email { get; set; }

    public required string DisplayName { get; set; }

    public required string PasswordHash { get; set; }

    /// <summary>
    /// When the owner proved that they read <see cref="Email"/> (a verification link, an invitation or a password reset
    /// sent there); an account without it cannot sign in.
    /// </summary>
    public DateTimeOffset? EmailVerifiedAt { get; set; }

    /// <summary>Platform-wide administrator (super_admin), not tied to a clinic.</summary>
    public bool IsSuperAdmin { get; set; }

    public bool IsDisabled { get; set; }

    /// <summary>Who disabled the account; one disabled by a platform administrator is enabled again only by one.</summary>
    public Guid? DisabledBy { get; set; }

    /// <summary>Changes whenever credentials or access change, which invalidates issued tokens.</summary>
    public Guid SecurityStamp { get; set; } = Guid.NewGuid();

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The TOTP shared secret once MFA is confirmed; sign-in then needs a code.</summary>
    public byte[]? MfaSecret { get; set; }

    /// <summary>A secret handed out by enrolment and not yet confirmed with a code.</summary>
    public byte[]? MfaPendingSecret { get; set; }

    /// <summary>The last TOTP time step accepted: a code is never accepted twice.</summary>
    public long MfaLastStep { get; set; }

    public bool MfaEnabled => MfaSecret is not null;

    /// <summary>How the user prefers appointment messages: <c>email</c> or <c>sms</c> (when a provider is configured).</summary>
    public string NotificationChannel { get; set; } = Messaging.NotificationChannels.Email;

    /// <summary>The user does not want appointment reminders (confirmations and changes are still sent).</summary>
    public bool RemindersOptOut { get; set; }

    public List<ClinicMembership> Memberships { get; init; } = [];

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    /// <summary>
    /// Whether two addresses reach one mailbox as far as can be told: the same address, or the same one with a
    /// sub-address (<c>ana+second@example.org</c> and <c>ana@example.org</c>). Used to keep a person from giving
    /// their own second account what they may not give themselves.
    /// </summary>
    public static bool SameMailbox(string first, string second) => Mailbox(first) == Mailbox(second);

    private static string Mailbox(string email)
    {
        var normalized = NormalizeEmail(email);
        var at = normalized.LastIndexOf('@');
        var plus = at > 0 ? normalized.IndexOf('+', 0, at) : -1;
        return plus > 0 ? normalized[..plus] + normalized[at..] : normalized;
    }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.Property(u => u.NotificationChannel).HasMaxLength(16).HasDefaultValue(Messaging.NotificationChannels.Email);
        builder.ToTable(t => t.HasCheckConstraint("ck_users_notification_channel", "notification_channel IN ('email', 'sms')"));
        builder.Property(u => u.Email).HasMaxLength(254);
        builder.Property(u => u.DisplayName).HasMaxLength(200);
        builder.Property(u => u.PasswordHash).HasMaxLength(512);
        builder.HasIndex(u => u.Email).IsUnique();
        builder.ToTable(t => t.HasCheckConstraint("ck_users_email_normalized", "email = lower(btrim(email)) AND position('@' in email) > 1"));
    }
}
