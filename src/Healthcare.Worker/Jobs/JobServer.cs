using System.Linq.Expressions;
using Hangfire;
using Healthcare.Core.Configuration;
using Healthcare.Core.Jobs;
using Healthcare.Core.Observability;
using Healthcare.Worker.Notifications;
using Microsoft.Extensions.Options;

namespace Healthcare.Worker.Jobs;

/// <summary>
/// Hangfire on PostgreSQL (see <see cref="JobStorageSetup"/>): one server per queue, so each queue's concurrency is
/// set on its own; on SIGTERM the servers stop taking jobs and wait up to the grace period for running ones.
/// </summary>
public static class JobServer
{
    /// <summary>
    /// Retry delay: base, 4 x base, 16 x base, ... (by default 5 s, 20 s, 80 s, ... up to an hour), each stretched by up
    /// to a fifth at random so that retries of many jobs that failed together spread out.
    /// </summary>
    public static int Backoff(long attempt, WorkerOptions options)
    {
        var delay = Math.Min(options.RetryMaxSeconds, options.RetryBaseSeconds * Math.Pow(4, Math.Max(0, attempt - 1)));
        return (int)Math.Ceiling(delay * (1 + (Random.Shared.NextDouble() / 5)));
    }

    public static IServiceCollection AddJobServer(this IServiceCollection services)
    {
        services.AddValidatedSettings<NotificationOptions, NotificationOptionsValidator>();
        services.AddScoped<NotificationDelivery>();
        services.AddScoped<NotificationSweep>();
        services.AddScoped<MaintenanceJobs>();
        services.AddScoped<ExportJob>();
        services.AddScoped<BulkExportJob>();
        services.AddSingleton<SmtpEmailSender>();
        services.AddSingleton<LogEmailSender>();
        services.AddHttpClient<WebhookSmsSender>(WebhookSmsSender.HttpClientName, (sp, client) =>
            client.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<NotificationOptions>>().Value.SmsWebhookTimeoutSeconds));
        services.AddSingleton<IEmailSender>(sp => sp.GetRequiredService<IOptions<NotificationOptions>>().Value.EmailChannel == "smtp"
            ? sp.GetRequiredService<SmtpEmailSender>()
            : sp.GetRequiredService<LogEmailSender>());
        services.AddJobStorage(
            sp => sp.GetRequiredService<IOptions<WorkerOptions>>().Value.JobWorkers,
            (sp, configuration) =>
        {
            var worker = sp.GetRequiredService<IOptions<WorkerOptions>>().Value;
            configuration.UseFilter(new JobTelemetryFilter(sp.GetRequiredService<HealthcareMetrics>()));
            configuration.UseFilter(new AutomaticRetryAttribute
            {
                Attempts = Core.Messaging.Notification.MaxAttempts - 1,
                DelayInSecondsByAttemptFunc = attempt => Backoff(attempt, worker),
                OnAttemptsExceeded = AttemptsExceededAction.Fail,
            });
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
                server.SchedulePollingInterval = TimeSpan.FromSeconds(worker.SchedulePollSeconds);
            });
        }

        services.AddHostedService<OutboxDispatcher>();
        services.AddHostedService<RecurringJobs>();
        return services;
    }
}

/// <summary>
/// Registers the recurring jobs (idempotent: the same ids are updated in place) and queues one sweep, off the start-up
/// path: a job whose lock a killed worker left behind, or a database that is not reachable yet, is retried every
/// <see cref="RetryDelay"/> until it succeeds, while this worker already serves its health endpoints.
/// </summary>
internal sealed partial class RecurringJobs(IRecurringJobManager recurring, IBackgroundJobClient jobs, JobStorage storage, ILogger<RecurringJobs> logger)
    : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        List<(string Name, Action Run)> pending =
        [
            // Whatever a killed worker left half-done is taken up again at once, not after a timeout.
            ("start-up sweep", () => jobs.Create<NotificationSweep>(sweep => sweep.RunAsync(0, CancellationToken.None), new Hangfire.States.EnqueuedState(JobQueues.Critical))),
            Recurring<NotificationSweep>("notifications-sweep", JobQueues.Maintenance, sweep => sweep.RunAsync(NotificationSweep.RecurringMinimumAgeSeconds, CancellationToken.None), Cron.Minutely()),
            Recurring<MaintenanceJobs>("appointment-reminders", JobQueues.Default, j => j.QueueRemindersAsync(CancellationToken.None), Cron.Minutely()),
            Recurring<MaintenanceJobs>("waitlist-holds", JobQueues.Maintenance, j => j.ExpireWaitlistHoldsAsync(CancellationToken.None), Cron.Minutely()),
            Recurring<MaintenanceJobs>("no-shows", JobQueues.Maintenance, j => j.MarkNoShowsAsync(CancellationToken.None), "*/5 * * * *"),
            Recurring<MaintenanceJobs>("clean-up", JobQueues.Maintenance, j => j.CleanUpAsync(CancellationToken.None), Cron.Daily(3)),
            Recurring<BulkExportJob>("bulk-export-expiry", JobQueues.Maintenance, j => j.PurgeExpiredAsync(CancellationToken.None), Cron.Hourly()),
            Recurring<MaintenanceJobs>("audit-verification", JobQueues.Maintenance, j => j.VerifyAuditTrailAsync(CancellationToken.None), Cron.Daily(2)),
            // A new installation is verified at once rather than at the first 02:00, so its gauges soon say something.
            ("first audit verification", () =>
            {
                if (AuditVerificationRecord.Read(storage).At is null)
                {
                    jobs.Create<MaintenanceJobs>(j => j.VerifyAuditTrailAsync(CancellationToken.None), new Hangfire.States.EnqueuedState(JobQueues.Maintenance));
                }
            }),
        ];
        while (true)
        {
            // Hangfire waits for a lock synchronously (up to 15 s), so each attempt runs on the thread pool.
            pending = await Task.Run(() => pending.FindAll(step => !TryRun(step.Name, step.Run)), stoppingToken);
            if (pending.Count == 0)
            {
                return;
            }

            await Task.Delay(RetryDelay, stoppingToken);
        }
    }

    private (string Name, Action Run) Recurring<T>(string id, string queue, Expression<Func<T, Task>> call, string cron) =>
        (id, () => recurring.AddOrUpdate(id, queue, call, cron));

    private bool TryRun(string name, Action run)
    {
        try
        {
            run();
            return true;
        }
        catch (Hangfire.PostgreSql.PostgreSqlDistributedLockException)
        {
            LogLocked(logger, name, RetryDelay.TotalSeconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The type only: a driver's message may quote the statement or its values.
            LogFailed(logger, name, (e.InnerException ?? e).GetType().Name, RetryDelay.TotalSeconds);
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recurring job {JobId} is locked (by another worker, or one that was killed); trying again in {RetrySeconds} s")]
    private static partial void LogLocked(ILogger logger, string jobId, double retrySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registering {JobId} failed ({ErrorType}); trying again in {RetrySeconds} s")]
    private static partial void LogFailed(ILogger logger, string jobId, string errorType, double retrySeconds);
}
