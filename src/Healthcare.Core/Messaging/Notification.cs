using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Messaging;

/// <summary>
/// One message to one recipient over one channel, made from an outbox row (or, later, a reminder). The row is
/// the delivery's memory: a sent notification is never sent again, a failing one is retried with backoff and
/// ends visibly in <c>failed</c>.
/// </summary>
public sealed class Notification
{
    public const int MaxAttempts = 6;

    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>What makes this message unique (<c>outbox:{id}</c>); a second attempt to create it is a no-op.</summary>
    public required string DedupeKey { get; init; }

    public required string Channel { get; init; }

    /// <summary>The address (e-mail, phone number) the message goes to.</summary>
    public required string Recipient { get; init; }

    /// <summary>The template, which is the outbox kind (<c>email.password-reset</c>).</summary>
    public required string Template { get; init; }

    public string Language { get; init; } = "en";

    public required string Subject { get; init; }

    public required string Body { get; init; }

    public Guid? ClinicId { get; init; }

    public Guid? PatientId { get; init; }

    public string Status { get; set; } = NotificationStatus.Pending;

    public int Attempts { get; set; }

    /// <summary>The kind of the last failure (an exception type or SMTP status), never message content.</summary>
    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? SentAt { get; set; }
}

public static class NotificationStatus
{
    public const string Pending = "pending";
    public const string Sent = "sent";
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Pending, Sent, Failed];
}

public static class NotificationChannels
{
    public const string Email = "email";
    public const string Sms = "sms";

    public static readonly IReadOnlyList<string> All = [Email, Sms];
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> builder)
    {
        builder.Property(n => n.DedupeKey).HasMaxLength(128);
        builder.Property(n => n.Channel).HasMaxLength(16);
        builder.Property(n => n.Recipient).HasMaxLength(254);
        builder.Property(n => n.Template).HasMaxLength(64);
        builder.Property(n => n.Language).HasMaxLength(8);
        builder.Property(n => n.Subject).HasMaxLength(200);
        builder.Property(n => n.Status).HasMaxLength(16);
        builder.Property(n => n.LastError).HasMaxLength(200);
        builder.HasIndex(n => n.DedupeKey).IsUnique();
        builder.HasIndex(n => new { n.Status, n.CreatedAt });
        builder.HasIndex(n => n.PatientId).HasFilter("patient_id IS NOT NULL");
        builder.ToTable(t =>
        {
            t.HasCheckConstraint("ck_notifications_status", "status IN ('pending', 'sent', 'failed')");
            t.HasCheckConstraint("ck_notifications_channel", "channel IN ('email', 'sms')");
        });
    }
}
