using Hangfire;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Jobs;
using Healthcare.Core.Observability;
using Healthcare.Core.Platform;
using Healthcare.Core.Scheduling;
using Healthcare.ServiceDefaults.Logging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Healthcare.Worker.Jobs;

/// <summary>The recurring jobs derived from rows: reminders, no-shows, waitlist holds, clean-up and audit checks.</summary>
public sealed partial class MaintenanceJobs(
    HealthcareDbContext db, TimeProvider clock, HealthcareMetrics metrics, JobStorage storage, IOptions<LogStoreOptions> logStore,
    ILogger<MaintenanceJobs> logger)
{
    /// <summary>Processed outbox rows and ended sessions are kept this long, then deleted.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public Task QueueRemindersAsync(CancellationToken cancellationToken) =>
        SchedulingJobs.QueueDueRemindersAsync(db, clock.GetUtcNow(), cancellationToken);

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task MarkNoShowsAsync(CancellationToken cancellationToken) =>
        metrics.NoShows(await SchedulingJobs.MarkNoShowsAsync(db, clock.GetUtcNow(), cancellationToken));

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public Task ExpireWaitlistHoldsAsync(CancellationToken cancellationToken) =>
        WaitlistOffers.ExpireHoldsAsync(db, clock.GetUtcNow(), cancellationToken);

    /// <summary>
    /// Daily: expired idempotency keys, processed outbox rows, long-ended sessions with their refresh tokens, and stored
    /// log events older than LOG_RETENTION_DAYS (whole day partitions; the coming days' partitions are made ahead).
    /// </summary>
    public async Task CleanUpAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var before = now - Retention;
        var keys = await IdempotencyStore.PurgeExpiredAsync(db, now, cancellationToken);
        var outbox = await db.OutboxMessages.Where(m => m.ProcessedAt != null && m.ProcessedAt < before).ExecuteDeleteAsync(cancellationToken);
        var tokens = await db.RefreshTokens.Where(t => t.Session!.AbsoluteExpiresAt < before).ExecuteDeleteAsync(cancellationToken);
        var sessions = await db.Sessions.Where(s => s.AbsoluteExpiresAt < before).ExecuteDeleteAsync(cancellationToken);
        LogCleanedUp(logger, keys, outbox, tokens, sessions);
        var (created, dropped) = await LogPartitions.MaintainAsync(db, now, logStore.Value.RetentionDays, cancellationToken);
        LogPartitionsMaintained(logger, dropped, logStore.Value.RetentionDays, created);
    }

    /// <summary>
    /// Nightly, and at a worker's start while none has run: walks every audit chain; a break is logged at error level,
    /// and the outcome is stored for the audit-chain gauges of every worker.
    /// </summary>
    public async Task VerifyAuditTrailAsync(CancellationToken cancellationToken)
    {
        var result = await db.VerifyAsync(cancellationToken);
        AuditVerificationRecord.Save(storage, result.FirstBreak is null, clock.GetUtcNow());
        if (result.FirstBreak is { } broken)
        {
            LogAuditBroken(logger, broken.EventId, broken.ChainId);
        }
        else
        {
            LogAuditIntact(logger, result.EventsChecked, result.Chains);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Clean-up removed {Keys} idempotency keys, {Outbox} outbox rows, {Tokens} refresh tokens and {Sessions} sessions")]
    private static partial void LogCleanedUp(ILogger logger, int keys, int outbox, int tokens, int sessions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Log store: dropped {Dropped} day partitions older than {RetentionDays} days, created {Created} ahead")]
    private static partial void LogPartitionsMaintained(ILogger logger, int dropped, int retentionDays, int created);

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit trail broken at event {EventId} (chain {ChainId})")]
    private static partial void LogAuditBroken(ILogger logger, long eventId, Guid chainId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit trail intact: {Events} events in {Chains} chains")]
    private static partial void LogAuditIntact(ILogger logger, long events, int chains);
}
