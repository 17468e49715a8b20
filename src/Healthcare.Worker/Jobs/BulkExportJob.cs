using Hangfire;
using Hangfire.Server;
using Healthcare.Core.Data;
using Healthcare.Core.Fhir;
using Healthcare.Core.Security;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Worker.Jobs;

/// <summary>
/// Builds a FHIR bulk export's files (<see cref="BulkExportBuilder"/>); after the last retry the export is marked
/// failed, visibly to its requester, and what it wrote is deleted. Hourly, deletes the exports past their retention.
/// </summary>
public sealed partial class BulkExportJob(HealthcareDbContext db, FieldEncryption encryption, TimeProvider clock, ILogger<BulkExportJob> logger)
{
    private const int Retries = 3;

    [AutomaticRetry(Attempts = Retries, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task BuildAsync(Guid exportId, PerformContext? context, CancellationToken cancellationToken)
    {
        try
        {
            await BulkExportBuilder.BuildAsync(db, encryption, clock, exportId, cancellationToken);
        }
        catch (Exception) when ((context?.GetJobParameter<int>("RetryCount") ?? Retries) >= Retries)
        {
            db.ChangeTracker.Clear();
            await db.BulkExports.Where(e => e.Id == exportId && BulkExportStatus.Unfinished.Contains(e.Status))
                .ExecuteUpdateAsync(e => e.SetProperty(x => x.Status, BulkExportStatus.Failed), CancellationToken.None);
            await db.BulkExportFiles.Where(f => f.ExportId == exportId).ExecuteDeleteAsync(CancellationToken.None);
            throw;
        }
    }

    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public async Task PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var purged = await BulkExport.PurgeExpiredAsync(db, clock.GetUtcNow(), cancellationToken);
        if (purged > 0)
        {
            LogPurged(logger, purged);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Exports} FHIR bulk exports past their retention, with their files")]
    private static partial void LogPurged(ILogger logger, int exports);
}
