using Microsoft.EntityFrameworkCore;

namespace Healthcare.Core.Data;

/// <summary>
/// Saves without the savepoint EF Core sets inside an open transaction. The savepoint (a subtransaction in
/// PostgreSQL, two more statements) only helps a caller that catches a refused save and goes on writing in the same
/// transaction, as a series booking does after a taken occurrence. When a refusal ends the request, which then rolls
/// back, the savepoint is pure cost.
/// </summary>
public static class FinalSave
{
    /// <summary>Saves; if PostgreSQL refuses, the transaction is left aborted and must be rolled back, not reused.</summary>
    public static async Task SaveWithoutSavepointAsync(this DbContext db, CancellationToken cancellationToken)
    {
        var before = db.Database.AutoSavepointsEnabled;
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            db.Database.AutoSavepointsEnabled = before;
        }
    }
}
