using System.Globalization;
using Hangfire;

namespace Healthcare.Core.Jobs;

/// <summary>The outcome of the last audit-chain verification; <see cref="At"/> is null while none has run yet.</summary>
public sealed record AuditVerificationState(bool Intact, DateTimeOffset? At);

/// <summary>
/// The last audit-chain verification, kept in the job storage (a Hangfire hash in PostgreSQL) so that every worker
/// reports it from its first scrape, including after a restart, not only the worker that ran the nightly job.
/// </summary>
public static class AuditVerificationRecord
{
    private const string Key = "healthcare:audit-verification";

    public static void Save(JobStorage storage, bool intact, DateTimeOffset at)
    {
        using var connection = storage.GetConnection();
        connection.SetRangeInHash(Key, new Dictionary<string, string>
        {
            ["intact"] = intact ? "1" : "0",
            ["at"] = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>The last verification; intact and never run (At null) when none is stored.</summary>
    public static AuditVerificationState Read(JobStorage storage)
    {
        using var connection = storage.GetConnection();
        var entries = connection.GetAllEntriesFromHash(Key);
        return entries is not null && entries.TryGetValue("intact", out var intact) && entries.TryGetValue("at", out var at)
            ? new AuditVerificationState(intact == "1", DateTimeOffset.FromUnixTimeSeconds(long.Parse(at, CultureInfo.InvariantCulture)))
            : new AuditVerificationState(Intact: true, At: null);
    }
}
