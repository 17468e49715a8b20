using Healthcare.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.ServiceDefaults.Logging;

/// <summary>
/// The day partitions of <c>log_events</c>. Writers create the partition of a day when they first store an event of
/// it; the daily clean-up also creates the coming days ahead of time and drops whole days older than the retention,
/// which is instant and leaves no dead rows behind (unlike DELETE).
/// </summary>
public static class LogPartitions
{
    /// <summary>Days created ahead by the clean-up (today included).</summary>
    public const int DaysAhead = 3;

    /// <summary>
    /// Makes sure today's and the next days' partitions exist and drops every day before <c>today - retentionDays</c>
    /// (UTC): an event is kept at least <paramref name="retentionDays"/> days and less than one day longer.
    /// </summary>
    public static async Task<(int Created, int Dropped)> MaintainAsync(
        HealthcareDbContext db, DateTimeOffset now, int retentionDays, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var created = await db.Database
            .SqlQuery<int>($"SELECT log_events_create_partitions({today}, {DaysAhead}) AS \"Value\"")
            .SingleAsync(cancellationToken);
        var dropped = await db.Database
            .SqlQuery<int>($"SELECT log_events_drop_partitions({today.AddDays(-retentionDays)}) AS \"Value\"")
            .SingleAsync(cancellationToken);
        return (created, dropped);
    }
}
