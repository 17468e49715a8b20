using System.Globalization;
using System.Text;

namespace Healthcare.Core.Messaging;

/// <summary>
/// The text of every message, per kind and language. Placeholders are <c>{name}</c>-style and filled by
/// <see cref="Render"/>; a template never asks for more than who, when and where (no reason for the visit, no
/// clinical content). Languages other than those listed fall back to English.
/// </summary>
public static class NotificationTemplates
{
    public const string English = "en";
    public const string Spanish = "es";

    public static readonly IReadOnlyList<string> Languages = [English, Spanish];

    /// <summary>A subject and an e-mail body; <see cref="Sms"/> is set for messages that may go by text.</summary>
    public sealed record Template(string Subject, string Body, string? Sms = null);

    /// <summary>The language to write in for a stated preference such as <c>es</c>, <c>es-MX</c> or <c>ES</c>.</summary>
    public static string LanguageFor(string? preference)
    {
        var primary = preference?.Split('-', '_')[0].Trim().ToLowerInvariant();
        return primary is not null && Languages.Contains(primary) ? primary : English;
    }

    /// <summary>How an appointment's local date and time read in <paramref name="language"/>.</summary>
    public static string FormatWhen(DateTimeOffset local, string language) => language == Spanish
        ? local.ToString("dddd d 'de' MMMM 'de' yyyy 'a las' HH:mm", CultureInfo.GetCultureInfo("es"))
        : local.ToString("dddd d MMMM yyyy 'at' HH:mm", CultureInfo.InvariantCulture);

    public static Template? Find(string kind, string language) =>
        Catalogue.TryGetValue((LanguageFor(language), kind), out var template) ? template : null;

    /// <summary>Replaces each <c>{key}</c> with its value; a placeholder without a value is a programming error.</summary>
    public static string Render(string text, IReadOnlyDictionary<string, string> values)
    {
        var result = new StringBuilder(text.Length + 64);
        var position = 0;
        while (text.IndexOf('{', position) is var open and >= 0)
        {
            var close = text.IndexOf('}', open);
            var key = text[(open + 1)..close];
            result.Append(text, position, open - position)
                .Append(values.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"No value for placeholder '{key}'."));
            position = close + 1;
        }

        return result.Append(text, position, text.Length - position).ToString();
    }

    public static IEnumerable<(string Language, string Kind, Template Template)> All =>
        Catalogue.Select(entry => (entry.Key.Language, entry.Key.Kind, entry.Value));

    private static readonly Dictionary<(string Language, string Kind), Template> Catalogue = Build();

    private static Dictionary<(string, string), Template> Build()
    {
        var templates = new Dictionary<(string, string), Template>
        {
            [(English, OutboxKinds.PasswordResetEmail)] = new(
                "Reset your password",
                "Hello {name},\n\nUse this link within 30 minutes to choose a new password:\n{appUrl}/reset-password?token={token}\n\nIf you did not ask for this, ignore this e-mail; your password stays the same."),
            [(English, OutboxKinds.PasswordChangedEmail)] = new(
                "Your password was changed",
                "Hello {name},\n\nThe password of your account was just changed and every session was signed out. If this was not you, reset your password at once: {appUrl}/forgot-password"),
            [(English, OutboxKinds.VerifyEmail)] = new(
                "Confirm your e-mail address",
                "Hello {name},\n\nConfirm within 24 hours that this address is yours:\n{appUrl}/verify-email?token={token}\n\nIf you did not create an account or ask to use this address, ignore this e-mail."),
            [(English, OutboxKinds.EmailChangedEmail)] = new(
                "Your sign-in address was changed",
                "Hello {name},\n\nYour account now signs in with another e-mail address, and every session was signed out. If this was not you, tell your clinic at once."),
            [(English, OutboxKinds.PatientLinkOffer)] = new(
                "See your records from {clinic} online",
                "Hello {name},\n\n{clinic} offers to link your patient record to your online account. Sign in (or register) and open this link within 7 days to accept:\n{appUrl}/link-record?token={token}\n\nIf you did not ask for this, ignore this message: nothing changes until you accept.",
                "{clinic}: to see your records online, sign in and open {appUrl}/link-record?token={token} within 7 days. Not you? Ignore this."),
            [(English, OutboxKinds.StaffAccountLinkAlert)] = new(
                "A staff account was linked to a patient record",
                "A patient record of your clinic was linked at {at} to an account that also holds a staff role in the clinic. Review it in the audit trail (link {linkId})."),
            [(English, OutboxKinds.RegistrationAttemptEmail)] = new(
                "Someone tried to register with your address",
                "Someone tried to create an account with this e-mail address, which already has one. If it was you, sign in or reset your password at {appUrl}/forgot-password."),
            [(English, OutboxKinds.InvitationEmail)] = new(
                "You are invited to {clinic}",
                "You have been invited to join {clinic} as {role}.\nAccept within 7 days:\n{appUrl}/accept-invitation?token={token}"),
            [(English, OutboxKinds.BreakGlassAlert)] = new(
                "Emergency access to a patient record",
                "A clinician used emergency access to a patient record of your clinic at {at}. Review the reason in the audit trail (grant {grantId})."),

            [(Spanish, OutboxKinds.PasswordResetEmail)] = new(
                "Restablezca su contraseña",
                "Hola {name}:\n\nUse este enlace en los próximos 30 minutos para elegir una contraseña nueva:\n{appUrl}/reset-password?token={token}\n\nSi no lo ha pedido, ignore este correo; su contraseña no cambia."),
            [(Spanish, OutboxKinds.PasswordChangedEmail)] = new(
                "Se ha cambiado su contraseña",
                "Hola {name}:\n\nLa contraseña de su cuenta acaba de cambiar y se han cerrado todas las sesiones. Si no ha sido usted, restablézcala de inmediato: {appUrl}/forgot-password"),
            [(Spanish, OutboxKinds.VerifyEmail)] = new(
                "Confirme su dirección de correo",
                "Hola {name}:\n\nConfirme en las próximas 24 horas que esta dirección es suya:\n{appUrl}/verify-email?token={token}\n\nSi no ha creado una cuenta ni pedido usar esta dirección, ignore este correo."),
            [(Spanish, OutboxKinds.EmailChangedEmail)] = new(
                "Se ha cambiado su dirección de acceso",
                "Hola {name}:\n\nSu cuenta inicia sesión ahora con otra dirección de correo y se han cerrado todas las sesiones. Si no ha sido usted, avise a su clínica de inmediato."),
            [(Spanish, OutboxKinds.PatientLinkOffer)] = new(
                "Consulte en línea su historial de {clinic}",
                "Hola {name}:\n\n{clinic} le ofrece vincular su historial de paciente a su cuenta en línea. Inicie sesión (o regístrese) y abra este enlace en los próximos 7 días para aceptar:\n{appUrl}/link-record?token={token}\n\nSi no lo ha pedido, ignore este mensaje: nada cambia hasta que acepte.",
                "{clinic}: para ver su historial en línea, inicie sesión y abra {appUrl}/link-record?token={token} en 7 días. ¿No es usted? Ignórelo."),
            [(Spanish, OutboxKinds.StaffAccountLinkAlert)] = new(
                "Se vinculó una cuenta de personal a un historial",
                "Un historial de paciente de su clínica se vinculó el {at} a una cuenta que también tiene un puesto de personal en la clínica. Revíselo en el registro de auditoría (vínculo {linkId})."),
            [(Spanish, OutboxKinds.RegistrationAttemptEmail)] = new(
                "Alguien intentó registrarse con su dirección",
                "Alguien intentó crear una cuenta con esta dirección de correo, que ya tiene una. Si fue usted, inicie sesión o restablezca su contraseña en {appUrl}/forgot-password."),
            [(Spanish, OutboxKinds.InvitationEmail)] = new(
                "Invitación a {clinic}",
                "Le han invitado a unirse a {clinic} como {role}.\nAcepte en los próximos 7 días:\n{appUrl}/accept-invitation?token={token}"),
            [(Spanish, OutboxKinds.BreakGlassAlert)] = new(
                "Acceso de emergencia a un historial",
                "Un profesional usó el acceso de emergencia a un historial de su clínica el {at}. Revise el motivo en el registro de auditoría (concesión {grantId})."),
        };

        // Appointment messages share one frame per language and differ in subject and phrase.
        var appointment = new Dictionary<string, (string Frame, string Sms, Dictionary<string, (string Subject, string Phrase)> Kinds)>
        {
            [English] = (
                "Hello {name},\n\nYour appointment at {clinic} {phrase} {when} (local time).\nManage your appointments at {appUrl}.",
                "{clinic}: your appointment {phrase} {when}.",
                new()
                {
                    [OutboxKinds.AppointmentBooked] = ("Appointment confirmed: {clinic}", "is booked for"),
                    [OutboxKinds.AppointmentRescheduled] = ("Appointment moved: {clinic}", "has moved to"),
                    [OutboxKinds.AppointmentCancelled] = ("Appointment cancelled: {clinic}", "was cancelled; it was planned for"),
                    [OutboxKinds.AppointmentReminder] = ("Reminder: {clinic}", "is on"),
                    [OutboxKinds.WaitlistOffer] = ("An earlier appointment is free: {clinic}", "can be yours: a slot is held for you on"),
                }),
            [Spanish] = (
                "Hola {name}:\n\nSu cita en {clinic} {phrase} {when} (hora local).\nGestione sus citas en {appUrl}.",
                "{clinic}: su cita {phrase} {when}.",
                new()
                {
                    [OutboxKinds.AppointmentBooked] = ("Cita confirmada: {clinic}", "está reservada para el"),
                    [OutboxKinds.AppointmentRescheduled] = ("Cita cambiada: {clinic}", "se ha cambiado al"),
                    [OutboxKinds.AppointmentCancelled] = ("Cita cancelada: {clinic}", "se ha cancelado; estaba prevista para el"),
                    [OutboxKinds.AppointmentReminder] = ("Recordatorio: {clinic}", "es el"),
                    [OutboxKinds.WaitlistOffer] = ("Hay una cita antes disponible: {clinic}", "puede ser suya: le reservamos un hueco el"),
                }),
        };
        foreach (var (language, (frame, sms, kinds)) in appointment)
        {
            foreach (var (kind, (subject, phrase)) in kinds)
            {
                templates[(language, kind)] = new(subject, frame.Replace("{phrase}", phrase, StringComparison.Ordinal), sms.Replace("{phrase}", phrase, StringComparison.Ordinal));
            }
        }

        return templates;
    }
}
