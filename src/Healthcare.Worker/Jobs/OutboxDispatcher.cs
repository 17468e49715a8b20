using System.Diagnostics;
using Hangfire;
using Hangfire.States;
using Healthcare.Core.Configuration;
using Healthcare.Core.Data;
using Healthcare.Core.Jobs;
using Healthcare.Core.Messaging;
using Healthcare.Core.Observability;
using Healthcare.Worker.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Healthcare.Worker.Jobs;

/// <summary>
/// Turns outbox rows into notifications and queues their delivery. It wakes on PostgreSQL's NOTIFY from the
/// outbox trigger (low latency) and polls every few seconds in case a notification was missed. Rows are claimed
/// with <c>FOR UPDATE SKIP LOCKED</c>, so several workers share the outbox without doing a row twice, and a row
/// is marked processed in the same transaction that creates its notification.
/// </summary>
public sealed partial class OutboxDispatcher(
    IServiceScopeFactory scopes,
    NpgsqlDataSource dataSource,
    IBackgroundJobClient jobs,
    TimeProvider clock,
    IOptions<NotificationOptions> options,
    IOptions<DatabaseOptions> database,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private const int BatchSize = 50;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var listener = await OpenListenerAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand("LISTEN outbox_messages", listener))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                while (!stoppingToken.IsCancellationRequested)
                {
                    while (await DispatchBatchAsync(stoppingToken) == BatchSize)
                    {
                    }

                    await listener.WaitAsync(PollInterval, stoppingToken);
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogDispatchFailed(logger, e.GetType().Name);
                await Task.Delay(PollInterval, stoppingToken);
            }
        }
    }

    /// <summary>
    /// The connection that LISTENs: a pooled one of <c>DATABASE_URL</c>, or, behind a pooler in transaction mode, a
    /// direct one to the primary (<c>DATABASE_LISTEN_URL</c>) that only this loop uses.
    /// </summary>
    private async Task<NpgsqlConnection> OpenListenerAsync(CancellationToken cancellationToken)
    {
        var settings = database.Value;
        if (string.IsNullOrWhiteSpace(settings.ListenUrl))
        {
            return await dataSource.OpenConnectionAsync(cancellationToken);
        }

        var direct = PostgresConnectionString.Parse(settings.ListenUrl);
        direct.Pooling = false;
        direct.Timeout = settings.ConnectTimeoutSeconds;
        direct.ApplicationName ??= "healthcare-worker-listen";
        var connection = new NpgsqlConnection(direct.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Handles one batch of unprocessed outbox rows; returns how many there were.</summary>
    public async Task<int> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HealthcareDbContext>();
        var composer = new NotificationComposer(db, options.Value.PublicAppUrl.TrimEnd('/'), options.Value.SmsEnabled);
        var now = clock.GetUtcNow();
        var created = new List<(Guid Id, string Queue, string? TraceParent)>();
        var exports = new List<(Guid Id, string? TraceParent)>();
        var bulkExports = new List<(Guid Id, string? TraceParent)>();
        int claimed;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var rows = await db.OutboxMessages
                .FromSql($"SELECT * FROM outbox_messages WHERE processed_at IS NULL ORDER BY created_at LIMIT {BatchSize} FOR UPDATE SKIP LOCKED")
                .ToListAsync(cancellationToken);
            if (rows.Count == 0)
            {
                return 0;
            }

            foreach (var row in rows)
            {
                row.Attempts++;
                row.ProcessedAt = now;
                if (row.Kind == OutboxKinds.AppointmentExport)
                {
                    exports.Add((System.Text.Json.JsonDocument.Parse(row.Payload).RootElement.GetProperty("exportId").GetGuid(), row.TraceParent));
                }
                else if (row.Kind == OutboxKinds.FhirBulkExport)
                {
                    bulkExports.Add((System.Text.Json.JsonDocument.Parse(row.Payload).RootElement.GetProperty("exportId").GetGuid(), row.TraceParent));
                }
                else if (await composer.ComposeAsync(row, now, cancellationToken) is not { } notification)
                {
                    // Nobody to tell (a patient without contact details, a reminder opted out of) or an unknown kind.
                    LogNothingToSend(logger, row.Id, row.Kind);
                }
                else if (!await db.Notifications.AnyAsync(n => n.DedupeKey == notification.DedupeKey, cancellationToken))
                {
                    db.Notifications.Add(notification);
                    created.Add((notification.Id, QueueFor(row.Kind), row.TraceParent));
                }
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            claimed = rows.Count;
        }

        // After the commit: a crash here leaves pending notifications, which the sweep queues again.
        // Each job joins the trace of the request that wrote its outbox row.
        foreach (var (id, queue, traceParent) in created)
        {
            using var activity = HealthcareMetrics.ContinueTrace("outbox dispatch", ActivityKind.Producer, traceParent);
            Enqueue(jobs, id, queue);
        }

        foreach (var (exportId, traceParent) in exports)
        {
            using var activity = HealthcareMetrics.ContinueTrace("outbox dispatch", ActivityKind.Producer, traceParent);
            jobs.Create<ExportJob>(job => job.BuildAsync(exportId, null, CancellationToken.None), new EnqueuedState(JobQueues.Default));
        }

        foreach (var (exportId, traceParent) in bulkExports)
        {
            using var activity = HealthcareMetrics.ContinueTrace("outbox dispatch", ActivityKind.Producer, traceParent);
            jobs.Create<BulkExportJob>(job => job.BuildAsync(exportId, null, CancellationToken.None), new EnqueuedState(JobQueues.Default));
        }

        return claimed;
    }

    public static void Enqueue(IBackgroundJobClient jobs, Guid notificationId, string queue) =>
        jobs.Create<NotificationDelivery>(d => d.DeliverAsync(notificationId, CancellationToken.None), new EnqueuedState(queue));

    /// <summary>Sign-in and account mail goes first; appointment messages use the default queue.</summary>
    public static string QueueFor(string kind) => kind.StartsWith("email.", StringComparison.Ordinal) || kind.StartsWith("alert.", StringComparison.Ordinal)
        ? JobQueues.Critical
        : JobQueues.Default;

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox message {OutboxId} ({Kind}) produced no notification")]
    private static partial void LogNothingToSend(ILogger logger, Guid outboxId, string kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox dispatch failed ({ErrorType}); retrying in a few seconds")]
    private static partial void LogDispatchFailed(ILogger logger, string errorType);
}

/// <summary>
/// Queues a delivery job for notifications never attempted: those whose enqueue was lost in a crash, and, at
/// start-up, those whose running job died with a killed worker. A second job for the same notification is
/// harmless: delivery locks the row and skips what is already sent.
/// </summary>
public sealed class NotificationSweep(HealthcareDbContext db, IBackgroundJobClient jobs, TimeProvider clock)
{
    public const int RecurringMinimumAgeSeconds = 120;

    public async Task RunAsync(int minimumAgeSeconds, CancellationToken cancellationToken)
    {
        var before = clock.GetUtcNow().AddSeconds(-minimumAgeSeconds);
        var stuck = await db.Notifications.AsNoTracking()
            .Where(n => n.Status == NotificationStatus.Pending && n.CreatedAt <= before && n.Attempts == 0)
            .OrderBy(n => n.CreatedAt)
            .Select(n => new { n.Id, n.Template })
            .Take(500)
            .ToListAsync(cancellationToken);
        foreach (var notification in stuck)
        {
            OutboxDispatcher.Enqueue(jobs, notification.Id, OutboxDispatcher.QueueFor(notification.Template));
        }
    }
}
