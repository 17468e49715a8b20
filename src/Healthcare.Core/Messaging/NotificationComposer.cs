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
            OutboxKinds.AppointmentBooked or OutboxKinds.AppointmentRescheduled or OutboxKinds.AppointmentCancelled or
                OutboxKinds.WaitlistOffer => await AppointmentAsync(message.Kind, data, cancellationToken),
            OutboxKinds.AppointmentReminder => await AppointmentAsync(message.Kind, data, cancellationToken, isReminder: true),
            OutboxKinds.PatientLinkOffer => await PatientLinkOfferAsync(data, cancellationToken),
            _ => Account(message.Kind, data),
        };
        return draft is null ? null : new Notification
        {
            DedupeKey = $"outbox:{message.Id:N}",
            Channel = draft.Channel,
            Recipient = draft.Recipient,
            Template = message.Kind,
            Language = draft.Language,
            Subject = draft.Subject,
            Body = draft.Body,
            ClinicId = draft.ClinicId,
            PatientId = draft.PatientId,
            CreatedAt = now,
        };
    }

    /// <summary>Account e-mail: the address and the values come with the outbox row (its language too, if known).</summary>
    private Draft? Account(string kind, JsonElement data)
    {
        var language = NotificationTemplates.LanguageFor(Text(data, "language"));
        if (NotificationTemplates.Find(kind, language) is not { } template || Text(data, "to") is not { Length: > 0 } to)
        {
            return null;
        }

        var values = new Dictionary<string, string>
        {
            ["appUrl"] = appUrl,
            ["name"] = Text(data, "name"),
            ["token"] = Text(data, "token"),
            ["clinic"] = Text(data, "clinic"),
            ["role"] = Text(data, "role").Replace('_', ' '),
            ["at"] = Text(data, "at"),
            ["grantId"] = Text(data, "grantId"),
            ["linkId"] = Text(data, "linkId"),
        };
        return new Draft(
            NotificationChannels.Email, to, NotificationTemplates.Render(template.Subject, values),
            NotificationTemplates.Render(template.Body, values), language, null, null);
    }

    private async Task<Draft?> AppointmentAsync(string kind, JsonElement data, CancellationToken cancellationToken, bool isReminder = false)
    {
        var id = data.GetProperty("appointmentId").GetGuid();
        var found = await db.Appointments.AsNoTracking().Where(a => a.Id == id)
            .Join(db.Patients, a => a.PatientId, p => p.Id, (a, p) => new { a.StartsAt, a.ClinicId, a.PatientId, p.GivenName, p.Email, p.Phone, p.UserId, p.PreferredLanguage })
            .Join(db.Clinics, x => x.ClinicId, c => c.Id, (x, c) => new { x.StartsAt, x.ClinicId, x.PatientId, x.GivenName, x.Email, x.Phone, x.UserId, x.PreferredLanguage, ClinicName = c.Name, c.TimeZone })
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

        var language = NotificationTemplates.LanguageFor(found.PreferredLanguage);
        var template = NotificationTemplates.Find(kind, language)!;
        var values = new Dictionary<string, string>
        {
            ["appUrl"] = appUrl,
            ["name"] = found.GivenName,
            ["clinic"] = found.ClinicName,
            ["when"] = NotificationTemplates.FormatWhen(ClinicTime.Local(found.StartsAt, ClinicTime.Zone(found.TimeZone)), language),
        };
        var subject = NotificationTemplates.Render(template.Subject, values);
        var prefersSms = preferences?.NotificationChannel == NotificationChannels.Sms;
        if (found.Email is not { Length: > 0 } email || (prefersSms && smsEnabled && found.Phone is { Length: > 0 }))
        {
            // No e-mail address: a short text message when an SMS provider is configured, else nothing to send.
            return smsEnabled && found.Phone is { Length: > 0 } phone
                ? new Draft(NotificationChannels.Sms, phone, subject, NotificationTemplates.Render(template.Sms!, values), language, found.ClinicId, found.PatientId)
                : null;
        }

        return new Draft(
            NotificationChannels.Email, email, subject, NotificationTemplates.Render(template.Body, values), language, found.ClinicId, found.PatientId);
    }

    /// <summary>A link offer goes to the contact details on the record, by the channel the offer chose.</summary>
    private async Task<Draft?> PatientLinkOfferAsync(JsonElement data, CancellationToken cancellationToken)
    {
        var id = data.GetProperty("patientId").GetGuid();
        var found = await db.Patients.AsNoTracking().Where(p => p.Id == id)
            .Join(db.Clinics, p => p.ClinicId, c => c.Id, (p, c) => new { p.ClinicId, p.GivenName, p.Email, p.Phone, p.PreferredLanguage, ClinicName = c.Name })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }

        var language = NotificationTemplates.LanguageFor(found.PreferredLanguage);
        var template = NotificationTemplates.Find(OutboxKinds.PatientLinkOffer, language)!;
        var values = new Dictionary<string, string>
        {
            ["appUrl"] = appUrl,
            ["name"] = found.GivenName,
            ["clinic"] = found.ClinicName,
            ["token"] = Text(data, "token"),
        };
        var subject = NotificationTemplates.Render(template.Subject, values);
        if (Text(data, "channel") == NotificationChannels.Sms)
        {
            return smsEnabled && found.Phone is { Length: > 0 } phone
                ? new Draft(NotificationChannels.Sms, phone, subject, NotificationTemplates.Render(template.Sms!, values), language, found.ClinicId, id)
                : null;
        }

        return found.Email is { Length: > 0 } email
            ? new Draft(NotificationChannels.Email, email, subject, NotificationTemplates.Render(template.Body, values), language, found.ClinicId, id)
            : null;
    }

    private static string Text(JsonElement data, string name) =>
        data.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.ToString() : "";

    private sealed record Draft(string Channel, string Recipient, string Subject, string Body, string Language, Guid? ClinicId, Guid? PatientId);
}
