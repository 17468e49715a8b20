using Healthcare.Core.Configuration;
using Microsoft.Extensions.Options;

namespace Healthcare.Worker.Notifications;

/// <summary>How the worker delivers notifications.</summary>
public sealed class NotificationOptions
{
    /// <summary><c>smtp</c> sends e-mail; <c>log</c> only logs that a message would be sent (id and template, no content).</summary>
    [ConfigurationKeyName("NOTIFY_EMAIL_CHANNEL")]
    public string EmailChannel { get; set; } = "log";

    [ConfigurationKeyName("SMTP_HOST")]
    public string SmtpHost { get; set; } = "localhost";

    [ConfigurationKeyName("SMTP_PORT")]
    public int SmtpPort { get; set; } = 1025;

    /// <summary><c>none</c>, <c>starttls</c> or <c>tls</c>.</summary>
    [ConfigurationKeyName("SMTP_SECURITY")]
    public string SmtpSecurity { get; set; } = "none";

    [ConfigurationKeyName("SMTP_USERNAME")]
    public string? SmtpUsername { get; set; }

    /// <summary>Secret.</summary>
    [ConfigurationKeyName("SMTP_PASSWORD")]
    public string? SmtpPassword { get; set; }

    [ConfigurationKeyName("MAIL_FROM")]
    public string MailFrom { get; set; } = "Healthcare <no-reply@healthcare.test>";

    /// <summary>The address of the patient and staff app, for links in messages.</summary>
    [ConfigurationKeyName("PUBLIC_APP_URL")]
    public string PublicAppUrl { get; set; } = "http://localhost:8088";

    [ConfigurationKeyName("SMTP_TIMEOUT_SECONDS")]
    public int SmtpTimeoutSeconds { get; set; } = 15;

    /// <summary>The SMS provider's webhook; when empty, patients without an e-mail address get no message.</summary>
    [ConfigurationKeyName("SMS_WEBHOOK_URL")]
    public string? SmsWebhookUrl { get; set; }

    /// <summary>Secret: the HMAC-SHA256 key that signs each webhook call.</summary>
    [ConfigurationKeyName("SMS_WEBHOOK_SECRET")]
    public string? SmsWebhookSecret { get; set; }

    [ConfigurationKeyName("SMS_WEBHOOK_TIMEOUT_SECONDS")]
    public int SmsWebhookTimeoutSeconds { get; set; } = 10;

    public bool SmsEnabled => !string.IsNullOrWhiteSpace(SmsWebhookUrl);
}

internal sealed class NotificationOptionsValidator(IHostEnvironment environment) : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        var failures = new List<string>();
        if (options.EmailChannel is not ("smtp" or "log"))
        {
            failures.Add("NOTIFY_EMAIL_CHANNEL must be smtp or log");
        }
        else if (options.EmailChannel == "log" && environment.IsProduction())
        {
            // The log channel sends nothing: in production that would drop every e-mail without a trace.
            failures.Add("NOTIFY_EMAIL_CHANNEL=log is for development; set smtp (and SMTP_HOST, MAIL_FROM, PUBLIC_APP_URL) in Production");
        }

        if (options.SmtpSecurity is not ("none" or "starttls" or "tls"))
        {
            failures.Add("SMTP_SECURITY must be none, starttls or tls");
        }

        Settings.RequireRange(failures, "SMTP_PORT", options.SmtpPort, 1, 65535);
        Settings.RequireRange(failures, "SMTP_TIMEOUT_SECONDS", options.SmtpTimeoutSeconds, 1, 300);
        if (!MimeKit.MailboxAddress.TryParse(options.MailFrom, out _))
        {
            failures.Add("MAIL_FROM must be an e-mail address, optionally with a display name");
        }

        Settings.RequireRange(failures, "SMS_WEBHOOK_TIMEOUT_SECONDS", options.SmsWebhookTimeoutSeconds, 1, 120);
        if (options.SmsEnabled && (!Uri.TryCreate(options.SmsWebhookUrl, UriKind.Absolute, out var webhook) || webhook.Scheme is not ("https" or "http")))
        {
            failures.Add("SMS_WEBHOOK_URL must be an absolute http(s) URL");
        }

        if (options.SmsEnabled && (options.SmsWebhookSecret?.Length ?? 0) < 32)
        {
            failures.Add("SMS_WEBHOOK_SECRET must be set, at least 32 characters, when SMS_WEBHOOK_URL is");
        }

        if (!Uri.TryCreate(options.PublicAppUrl, UriKind.Absolute, out _))
        {
            failures.Add("PUBLIC_APP_URL must be an absolute URL");
        }

        return Settings.Result(failures);
    }
}
