using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Healthcare.Core.Data;

/// <summary>
/// Plain Npgsql work on a database context's connection, inside its open transaction if there is one: for the few
/// statements on busy paths that must join the context's transaction but need none of EF Core's query pipeline.
/// </summary>
public static class ContextConnection
{
    /// <summary>Runs <paramref name="work"/> on the context's connection, opening it (and closing it after) if needed.</summary>
    public static async Task<T> RunAsync<T>(
        this DbContext db, Func<NpgsqlConnection, NpgsqlTransaction?, Task<T>> work, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
        }

        try
        {
            return await work(connection, (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
        }
        finally
        {
            if (opened)
            {
                await db.Database.CloseConnectionAsync();
            }
        }
    }
}
