using Healthcare.Core.Data;
using Healthcare.Core.Messaging;
using Healthcare.Core.Observability;
using Healthcare.Worker.Notifications;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Worker.Jobs;

/// <summary>
/// Delivers one notification. The row is locked for the send, so two runs of the job (a retry racing the sweep)
/// cannot both send it, and a sent notification is never sent again. A failure counts an attempt and is retried
/// by Hangfire with growing, jittered delays; after <see cref="Notification.MaxAttempts"/> it stays <c>failed</c>.
/// </summary>
public sealed partial class NotificationDelivery(
    HealthcareDbContext db, IEmailSender email, IServiceProvider services, TimeProvider clock, HealthcareMetrics metrics,
    ILogger<NotificationDelivery> logger)
{
    /// <summary>Retried by the job server's global retry filter (see <see cref="JobServer.Backoff(long, WorkerOptions)"/>).</summary>
    public async Task DeliverAsync(Guid notificationId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var notification = await db.Notifications
            .FromSql($"SELECT * FROM notifications WHERE id = {notificationId} FOR UPDATE")
            .SingleOrDefaultAsync(cancellationToken);
        if (notification is null || notification.Status != NotificationStatus.Pending)
        {
            return;
        }

        try
        {
            if (notification.Channel == NotificationChannels.Sms)
            {
                await services.GetRequiredService<WebhookSmsSender>().SendAsync(notification, cancellationToken);
            }
            else
            {
                await email.SendAsync(notification, cancellationToken);
            }
            notification.Status = NotificationStatus.Sent;
            notification.SentAt = clock.GetUtcNow();
            notification.Attempts++;
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            metrics.NotificationSent(notification.Channel);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            notification.Attempts++;
            notification.LastError = e.GetType().Name;
            var final = notification.Attempts >= Notification.MaxAttempts;
            if (final)
            {
                notification.Status = NotificationStatus.Failed;
            }

            await db.SaveChangesAsync(CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
            LogFailed(logger, notificationId, notification.Attempts, e.GetType().Name);
            if (final)
            {
                metrics.NotificationFailed(notification.Channel);
            }

            // Thrown on the last attempt too, so the job ends in the dashboard's Failed list as well.
            throw new NotificationDeliveryException(notificationId, notification.Attempts, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Notification {NotificationId} failed (attempt {Attempt}): {ErrorType}")]
    private static partial void LogFailed(ILogger logger, Guid notificationId, int attempt, string errorType);
}

/// <summary>
/// A failed attempt, thrown so that Hangfire schedules the retry or, after the last one, shows the job as failed. It
/// names the cause's type only: a provider's message may quote the recipient's address, and Hangfire stores what it
/// is given.
/// </summary>
public sealed class NotificationDeliveryException(Guid notificationId, int attempt, Exception cause)
    : Exception($"Delivery of notification {notificationId} failed with {cause.GetType().Name} (attempt {attempt} of {Notification.MaxAttempts}).");
