using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Messaging;

/// <summary>
/// Work that a write implies (an e-mail to send), stored in the same transaction as the write so that it is
/// never lost; the worker delivers it and marks it processed.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>What to do, e.g. <c>email.password-reset</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The message's data as JSON; may hold contact details and one-time links, never clinical data.</summary>
    public required string Payload { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? ProcessedAt { get; set; }

    public int Attempts { get; set; }

    /// <summary>The W3C trace context of the request that wrote the row, so the delivery job joins its trace.</summary>
    public string? TraceParent { get; init; }

    public static OutboxMessage Create<T>(string kind, T payload) =>
        new() { Kind = kind, Payload = JsonSerializer.Serialize(payload, JsonSerializerOptions.Web), TraceParent = System.Diagnostics.Activity.Current?.Id };
}

public static class OutboxKinds
{
    public const string PasswordResetEmail = "email.password-reset";
    public const string PasswordChangedEmail = "email.password-changed";
    public const string RegistrationAttemptEmail = "email.registration-attempt";
    public const string VerifyEmail = "email.verify-address";
    public const string EmailChangedEmail = "email.address-changed";
    public const string InvitationEmail = "email.invitation";
    public const string BreakGlassAlert = "alert.break-glass";
    public const string StaffAccountLinkAlert = "alert.staff-account-link";
    public const string PatientLinkOffer = "notification.patient-link-offer";
    public const string AppointmentBooked = "notification.appointment-booked";
    public const string AppointmentRescheduled = "notification.appointment-rescheduled";
    public const string AppointmentCancelled = "notification.appointment-cancelled";
    public const string WaitlistOffer = "notification.waitlist-offer";
    public const string AppointmentReminder = "notification.appointment-reminder";
    public const string AppointmentExport = "job.appointment-export";
    public const string FhirBulkExport = "job.fhir-bulk-export";
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("outbox_messages");
        builder.Property(m => m.Kind).HasMaxLength(64);
        builder.Property(m => m.TraceParent).HasMaxLength(128);
        builder.Property(m => m.Payload).HasColumnType("jsonb");
        // The worker's queue: unprocessed rows in creation order.
        builder.HasIndex(m => m.CreatedAt).HasFilter("processed_at IS NULL");
    }
}
