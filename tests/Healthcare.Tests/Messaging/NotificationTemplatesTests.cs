using Healthcare.Core.Messaging;

namespace Healthcare.Tests.Messaging;

public sealed class NotificationTemplatesTests
{
    /// <summary>What a template may ask for: who, when, where and links; never a reason for the visit or clinical text.</summary>
    private static readonly Dictionary<string, string> Allowed = new()
    {
        ["appUrl"] = "https://app.example",
        ["name"] = "Ana",
        ["token"] = "t0k3n",
        ["clinic"] = "Clinic",
        ["role"] = "doctor",
        ["at"] = "2027-03-14T09:30:00Z",
        ["grantId"] = "g-1",
        ["linkId"] = "l-1",
        ["when"] = "Sunday 14 March 2027 at 09:30",
    };

    private static readonly string[] AppointmentKinds =
    [
        OutboxKinds.AppointmentBooked, OutboxKinds.AppointmentRescheduled, OutboxKinds.AppointmentCancelled,
        OutboxKinds.AppointmentReminder, OutboxKinds.WaitlistOffer,
    ];

    private static readonly string[] AccountKinds =
    [
        OutboxKinds.PasswordResetEmail, OutboxKinds.PasswordChangedEmail, OutboxKinds.VerifyEmail, OutboxKinds.EmailChangedEmail,
        OutboxKinds.RegistrationAttemptEmail, OutboxKinds.InvitationEmail, OutboxKinds.BreakGlassAlert, OutboxKinds.StaffAccountLinkAlert,
    ];

    /// <summary>Messages to a patient's contact details, which may be a phone number only: they have a text too.</summary>
    private static readonly string[] PatientKinds = [.. AppointmentKinds, OutboxKinds.PatientLinkOffer];

    [Fact]
    public void EveryMessageKindHasATemplateInEveryLanguageAndAppointmentsHaveAText()
    {
        foreach (var language in NotificationTemplates.Languages)
        {
            foreach (var kind in AccountKinds.Concat(PatientKinds))
            {
                var template = NotificationTemplates.Find(kind, language);
                Assert.True(template is not null, $"{kind} has no {language} template");
                Assert.Equal(PatientKinds.Contains(kind), template.Sms is not null);
            }
        }
    }

    [Fact]
    public void TemplatesUseOnlyTheAllowedPlaceholders()
    {
        foreach (var (language, kind, template) in NotificationTemplates.All)
        {
            foreach (var text in new[] { template.Subject, template.Body, template.Sms ?? "" })
            {
                var rendered = NotificationTemplates.Render(text, Allowed);
                Assert.False(rendered.Contains('{', StringComparison.Ordinal), $"{language} {kind}: {rendered}");
            }
        }
    }

    [Fact]
    public void AnUnknownPlaceholderIsAnError()
    {
        Assert.Throws<KeyNotFoundException>(() => NotificationTemplates.Render("Your diagnosis: {diagnosis}", Allowed));
    }

    [Theory]
    [InlineData("es", "es")]
    [InlineData("es-MX", "es")]
    [InlineData("ES_us", "es")]
    [InlineData("en-GB", "en")]
    [InlineData("fr", "en")]
    [InlineData("Spanish", "en")]
    [InlineData(null, "en")]
    public void APreferenceSelectsAKnownLanguageOrEnglish(string? preference, string expected)
    {
        Assert.Equal(expected, NotificationTemplates.LanguageFor(preference));
    }

    [Fact]
    public void DatesReadNaturallyInEachLanguage()
    {
        var local = new DateTimeOffset(2027, 3, 14, 9, 30, 0, TimeSpan.FromHours(-4));

        Assert.Equal("Sunday 14 March 2027 at 09:30", NotificationTemplates.FormatWhen(local, "en"));
        Assert.Equal("domingo 14 de marzo de 2027 a las 09:30", NotificationTemplates.FormatWhen(local, "es"));
    }
}
