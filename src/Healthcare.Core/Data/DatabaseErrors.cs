using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Healthcare.Core.Data;

/// <summary>
/// Why PostgreSQL refused a write, asked in one place: callers that answer a refusal themselves (a duplicate name,
/// an overlapping booking) ask here instead of reading error codes.
/// </summary>
public static class DatabaseErrors
{
    /// <summary>True when a unique constraint refused the write.</summary>
    public static bool IsUniqueViolation(this DbUpdateException e) =>
        e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>The exclusion constraint that refused the write, if that is why it failed.</summary>
    public static string? ExclusionConstraint(this DbUpdateException e) =>
        e.InnerException is PostgresException { SqlState: PostgresErrorCodes.ExclusionViolation } pg ? pg.ConstraintName : null;
}
