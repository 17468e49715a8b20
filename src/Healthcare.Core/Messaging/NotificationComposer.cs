using System.Globalization;
using System.Text.Json;
using Healthcare.Core.Data;
using Healthcare.Core.Scheduling;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Core.Messaging;

/// <summary>
/// Turns an outbox row into the message a person receives: recipient, subject and text from the template for
/// its kind. Messages carry the minimum of patient data: who, when and where, never why (no diagnosis, no
/// note content). A row with nobody to tell (a patient without an e-mail address) makes no message.
/// </summary>
public sealed class NotificationComposer(HealthcareDbContext db, string appUrl, bool smsEnabled = false)
{
    public async Task<Notification?> ComposeAsync(OutboxMessage message, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(message.Payload);
        var data = document.RootElement;
        var draft = message.Kind switch
        {
            OutboxKinds.PasswordResetEmail => Account(
                data, "Reset your password",
                $"Hello {Text(data, "name")},\n\nUse this link within 30 minutes to choose a new password:\n{appUrl}/reset-password?token={Text(data, "token")}\n\nIf you did not ask for this, ignore this e-mail; your password stays the same."),
            OutboxKinds.PasswordChangedEmail => Account(
                data, "Your password was changed",
                $"Hello {Text(data, "name")},\n\nThe password of your account was just changed and every session was signed out. If this was not you, reset your password at once: {appUrl}/forgot-password"),
            OutboxKinds.WelcomeEmail => Account(
                data, "Welcome", $"Hello {Text(data, "name")},\n\nYour account is ready. Sign in at {appUrl}."),
            OutboxKinds.RegistrationAttemptEmail => Account(
                data, "Someone tried to register with your address",
                $"Someone tried to create an account with this e-mail address, which already has one. If it was you, sign in or reset your password at {appUrl}/forgot-password."),
            OutboxKinds.InvitationEmail => Account(
                data, $"You are invited to {Text(data, "clinic")}",
                $"You have been invited to join {Text(data, "clinic")} as {Text(data, "role").Replace('_', ' ')}.\nAccept within 7 days:\n{appUrl}/accept-invitation?token={Text(data, "token")}"),
            OutboxKinds.BreakGlassAlert => Account(
                data, "Emergency access to a patient record",
                $"A clinician used emergency access to a patient record of your clinic at {Text(data, "at")}. Review the reason in the audit trail (grant {Text(data, "grantId")})."),
            OutboxKinds.AppointmentBooked => await AppointmentAsync(data, "Appointment confirmed", "is booked for", cancellationToken),
            OutboxKinds.AppointmentRescheduled => await AppointmentAsync(data, "Appointment moved", "has moved to", cancellationToken),
            OutboxKinds.AppointmentCancelled => await AppointmentAsync(data, "Appointment cancelled", "was cancelled; it was planned for", cancellationToken),
            OutboxKinds.AppointmentReminder => await AppointmentAsync(data, "Reminder", "is on", cancellationToken, isReminder: true),
            OutboxKinds.WaitlistOffer => await AppointmentAsync(data, "An earlier appointment is free", "can be yours: a slot is held for you on", cancellationToken),
            _ => null,
        };
        return draft is null ? null : new Notification
        {
            DedupeKey = $"outbox:{message.Id:N}",
            Channel = draft.Channel,
            Recipient = draft.Recipient,
            Template = message.Kind,
            Subject = draft.Subject,
            Body = draft.Body,
            ClinicId = draft.ClinicId,
            PatientId = draft.PatientId,
            CreatedAt = now,
        };
    }

    private static Draft? Account(JsonElement data, string subject, string body) =>
        Text(data, "to") is { Length: > 0 } to ? new Draft(NotificationChannels.Email, to, subject, body, null, null) : null;

    private async Task<Draft?> AppointmentAsync(JsonElement data, string subject, string phrase, CancellationToken cancellationToken, bool isReminder = false)
    {
        var id = data.GetProperty("appointmentId").GetGuid();
        var found = await db.Appointments.AsNoTracking().Where(a => a.Id == id)
            .Join(db.Patients, a => a.PatientId, p => p.Id, (a, p) => new { a.StartsAt, a.ClinicId, a.PatientId, p.GivenName, p.Email, p.Phone, p.UserId })
            .Join(db.Clinics, x => x.ClinicId, c => c.Id, (x, c) => new { x.StartsAt, x.ClinicId, x.PatientId, x.GivenName, x.Email, x.Phone, x.UserId, ClinicName = c.Name, c.TimeZone })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }

        // The patient's own account, if linked, says how (and whether) they want to hear from us.
        var preferences = found.UserId is { } userId
            ? await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new { u.NotificationChannel, u.RemindersOptOut }).SingleOrDefaultAsync(cancellationToken)
            : null;
        if (isReminder && preferences?.RemindersOptOut == true)
        {
            return null;
        }

        var local = ClinicTime.Local(found.StartsAt, ClinicTime.Zone(found.TimeZone));
        var when = local.ToString("dddd d MMMM yyyy 'at' HH:mm", CultureInfo.InvariantCulture);
        var prefersSms = preferences?.NotificationChannel == NotificationChannels.Sms;
        if (found.Email is not { Length: > 0 } email || (prefersSms && smsEnabled && found.Phone is { Length: > 0 }))
        {
            // No e-mail address: a short text message when an SMS provider is configured, else nothing to send.
            return smsEnabled && found.Phone is { Length: > 0 } phone
                ? new Draft(NotificationChannels.Sms, phone, subject, $"{found.ClinicName}: your appointment {phrase} {when}.", found.ClinicId, found.PatientId)
                : null;
        }

        return new Draft(
            NotificationChannels.Email, email, $"{subject}: {found.ClinicName}",
            $"Hello {found.GivenName},\n\nYour appointment at {found.ClinicName} {phrase} {when} (local time).\nManage your appointments at {appUrl}.",
            found.ClinicId, found.PatientId);
    }

    private static string Text(JsonElement data, string name) =>
        data.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.ToString() : "";

    private sealed record Draft(string Channel, string Recipient, string Subject, string Body, Guid? ClinicId, Guid? PatientId);
}
