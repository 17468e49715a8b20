using Healthcare.Core.Messaging;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Healthcare.Worker.Notifications;

/// <summary>Sends one e-mail notification.</summary>
public interface IEmailSender
{
    Task SendAsync(Notification notification, CancellationToken cancellationToken);
}

/// <summary>SMTP through MailKit. The Message-ID is the notification's id, so a receiver can spot a repeat.</summary>
public sealed class SmtpEmailSender(IOptions<NotificationOptions> options) : IEmailSender
{
    public async Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var message = new MimeMessage
        {
            Subject = notification.Subject,
            Body = new TextPart("plain") { Text = notification.Body },
            MessageId = $"{notification.Id:N}@healthcare",
        };
        message.From.Add(MailboxAddress.Parse(settings.MailFrom));
        message.To.Add(MailboxAddress.Parse(notification.Recipient));
        using var client = new SmtpClient { Timeout = settings.SmtpTimeoutSeconds * 1000 };
        var security = settings.SmtpSecurity switch
        {
            "tls" => SecureSocketOptions.SslOnConnect,
            "starttls" => SecureSocketOptions.StartTls,
            _ => SecureSocketOptions.None,
        };
        await client.ConnectAsync(settings.SmtpHost, settings.SmtpPort, security, cancellationToken);
        if (!string.IsNullOrEmpty(settings.SmtpUsername))
        {
            await client.AuthenticateAsync(settings.SmtpUsername, settings.SmtpPassword ?? "", cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }
}

/// <summary>For development without a mail server: logs that a message would go out, never its content or address.</summary>
public sealed partial class LogEmailSender(ILogger<LogEmailSender> logger) : IEmailSender
{
    public Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        LogWouldSend(logger, notification.Id, notification.Template);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {NotificationId} ({Template}) delivered to the log channel")]
    private static partial void LogWouldSend(ILogger logger, Guid notificationId, string template);
}
