using Hangfire;
using Hangfire.PostgreSql;
using Healthcare.Core.Configuration;
using Healthcare.Worker.Notifications;
using Microsoft.Extensions.Options;

namespace Healthcare.Worker.Jobs;

/// <summary>
/// Hangfire on PostgreSQL (its own <c>hangfire</c> schema): one server per queue, so each queue's concurrency is
/// set on its own; on SIGTERM the servers stop taking jobs and wait up to the grace period for running ones.
/// </summary>
public static class JobServer
{
    /// <summary>Retry delay: 5 s, 20 s, 80 s, ... up to an hour, each stretched by up to a fifth at random so retries spread out.</summary>
    public static int Backoff(long attempt)
    {
        var delay = Math.Min(3600, 5 * Math.Pow(4, Math.Max(0, attempt - 1)));
        return (int)(delay * (1 + (Random.Shared.NextDouble() / 5)));
    }

    public static IServiceCollection AddJobServer(this IServiceCollection services)
    {
        services.AddValidatedSettings<NotificationOptions, NotificationOptionsValidator>();
        services.AddScoped<NotificationDelivery>();
        services.AddScoped<NotificationSweep>();
        services.AddScoped<MaintenanceJobs>();
        services.AddScoped<ExportJob>();
        services.AddSingleton<SmtpEmailSender>();
        services.AddSingleton<LogEmailSender>();
        services.AddHttpClient<WebhookSmsSender>(WebhookSmsSender.HttpClientName, (sp, client) =>
            client.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<NotificationOptions>>().Value.SmsWebhookTimeoutSeconds));
        services.AddSingleton<IEmailSender>(sp => sp.GetRequiredService<IOptions<NotificationOptions>>().Value.EmailChannel == "smtp"
            ? sp.GetRequiredService<SmtpEmailSender>()
            : sp.GetRequiredService<LogEmailSender>());
        services.AddHangfire((sp, configuration) =>
        {
            var database = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var connection = PostgresConnectionString.Parse(database.Url);
            configuration
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UseFilter(new AutomaticRetryAttribute
                {
                    Attempts = Core.Messaging.Notification.MaxAttempts - 1,
                    DelayInSecondsByAttemptFunc = Backoff,
                    OnAttemptsExceeded = AttemptsExceededAction.Fail,
                })
                .UsePostgreSqlStorage(
                    options => options.UseNpgsqlConnection(connection.ConnectionString),
                    new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true });
        });
        foreach (var (queue, concurrency) in new (string, Func<WorkerOptions, int>)[]
        {
            (JobQueues.Critical, o => o.CriticalConcurrency),
            (JobQueues.Default, o => o.DefaultConcurrency),
            (JobQueues.Maintenance, o => o.MaintenanceConcurrency),
        })
        {
            services.AddHangfireServer((sp, server) =>
            {
                var worker = sp.GetRequiredService<IOptions<WorkerOptions>>().Value;
                server.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}:{queue}";
                server.Queues = [queue];
                server.WorkerCount = concurrency(worker);
                server.ShutdownTimeout = TimeSpan.FromSeconds(worker.ShutdownGraceSeconds);
            });
        }

        services.AddHostedService<OutboxDispatcher>();
        services.AddHostedService<RecurringJobs>();
        return services;
    }
}

/// <summary>Registers the recurring jobs at start-up (idempotent: the same ids are updated in place) and sweeps once.</summary>
internal sealed class RecurringJobs(IRecurringJobManager recurring, IBackgroundJobClient jobs) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        recurring.AddOrUpdate<NotificationSweep>(
            "notifications-sweep", JobQueues.Maintenance,
            sweep => sweep.RunAsync(NotificationSweep.RecurringMinimumAgeSeconds, CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<MaintenanceJobs>("appointment-reminders", JobQueues.Default, j => j.QueueRemindersAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<MaintenanceJobs>("waitlist-holds", JobQueues.Maintenance, j => j.ExpireWaitlistHoldsAsync(CancellationToken.None), Cron.Minutely());
        recurring.AddOrUpdate<MaintenanceJobs>("no-shows", JobQueues.Maintenance, j => j.MarkNoShowsAsync(CancellationToken.None), "*/5 * * * *");
        recurring.AddOrUpdate<MaintenanceJobs>("clean-up", JobQueues.Maintenance, j => j.CleanUpAsync(CancellationToken.None), Cron.Daily(3));
        recurring.AddOrUpdate<MaintenanceJobs>("audit-verification", JobQueues.Maintenance, j => j.VerifyAuditTrailAsync(CancellationToken.None), Cron.Daily(2));
        // Whatever a killed worker left half-done is taken up again at once, not after a timeout.
        jobs.Create<NotificationSweep>(sweep => sweep.RunAsync(0, CancellationToken.None), new Hangfire.States.EnqueuedState(JobQueues.Critical));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
