using Hangfire;
using Hangfire.Server;
using Healthcare.Core.Data;
using Healthcare.Core.Scheduling;
using Healthcare.Core.Security;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Worker.Jobs;

/// <summary>Builds a requested appointment export; after the last retry the export is marked failed, visibly.</summary>
public sealed class ExportJob(HealthcareDbContext db, FieldEncryption encryption, TimeProvider clock)
{
    private const int Retries = 3;

    [AutomaticRetry(Attempts = Retries, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    public async Task BuildAsync(Guid exportId, PerformContext? context, CancellationToken cancellationToken)
    {
        try
        {
            await AppointmentExport.BuildAsync(db, encryption, exportId, clock.GetUtcNow(), cancellationToken);
        }
        catch (Exception) when ((context?.GetJobParameter<int>("RetryCount") ?? Retries) >= Retries)
        {
            db.ChangeTracker.Clear();
            await db.AppointmentExports.Where(e => e.Id == exportId)
                .ExecuteUpdateAsync(e => e.SetProperty(x => x.Status, ExportStatus.Failed), CancellationToken.None);
            throw;
        }
    }
}
