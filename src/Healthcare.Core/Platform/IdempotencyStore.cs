using System.Security.Cryptography;
using Healthcare.Core.Data;
using Healthcare.Core.Security;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Healthcare.Core.Platform;

/// <summary>A request sent under an <c>Idempotency-Key</c>: who sent it, to which route and path, with which body.</summary>
public sealed record IdempotentRequest(Guid? UserId, string Key, string Method, string Route, string Path, byte[] RequestHash);

/// <summary>A stored answer, sent again to retries.</summary>
public sealed record IdempotentResponse(int Status, string? ContentType, string? Location, string? ETag, byte[] Body);

public enum IdempotencyOutcome
{
    /// <summary>The key is now this request's: run it, then complete or release the reservation.</summary>
    Reserved,

    /// <summary>The same request already completed: answer with its stored response.</summary>
    Replay,

    /// <summary>The key was used for a different request (body, method, route or path).</summary>
    Mismatch,

    /// <summary>The same request is still running elsewhere.</summary>
    InProgress,
}

public sealed record IdempotencyDecision(IdempotencyOutcome Outcome, Guid ReservationId = default, IdempotentResponse? Response = null);

/// <summary>
/// Reserves, completes and releases idempotency keys in <c>idempotency_keys</c>. It uses its own short-lived
/// connections, apart from the request's DbContext, so a reservation is visible to concurrent twins at once and
/// is unaffected by the endpoint's transaction.
/// </summary>
public sealed class IdempotencyStore(NpgsqlDataSource dataSource, FieldEncryption encryption, TimeProvider clock)
{
    public const int MaxKeyLength = 255;

    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>
    /// A pending reservation this old is taken to be abandoned (its process died before it could complete or
    /// release it) and may be taken over. Twice the default request timeout; see ADR 12.
    /// </summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromSeconds(60);

    private const int PurgeBatchSize = 1000;

    // On a conflict the existing row is replaced only when it has expired or was abandoned; otherwise nothing
    // is returned and the caller reads the row to decide.
    private const string ReserveSql = """
        INSERT INTO idempotency_keys AS k (id, user_id, key, method, route, path, request_hash, state, created_at, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9)
        ON CONFLICT (user_id, key) DO UPDATE SET
            id = excluded.id, method = excluded.method, route = excluded.route, path = excluded.path,
            request_hash = excluded.request_hash, state = 'pending', response_status = NULL,
            response_content_type = NULL, response_location = NULL, response_etag = NULL, response_body = NULL,
            created_at = excluded.created_at, expires_at = excluded.expires_at
        WHERE k.expires_at <= $8 OR (k.state = 'pending' AND k.created_at <= $10)
        RETURNING id
        """;

    private const string SelectColumns = """
        SELECT id, method, route, path, request_hash, state, response_status, response_content_type,
            response_location, response_etag, response_body, created_at, expires_at
        FROM idempotency_keys
        """;

    // Two forms because "IS NOT DISTINCT FROM" cannot use the unique index.
    private const string FindUserSql = SelectColumns + " WHERE key = $1 AND user_id = $2";
    private const string FindAnonymousSql = SelectColumns + " WHERE key = $1 AND user_id IS NULL";

    private const string CompleteSql = """
        UPDATE idempotency_keys SET state = 'completed', response_status = $2, response_content_type = $3,
            response_location = $4, response_etag = $5, response_body = $6
        WHERE id = $1 AND state = 'pending'
        """;

    private const string ReleaseSql = "DELETE FROM idempotency_keys WHERE id = $1 AND state = 'pending'";

    /// <summary>1-255 printable ASCII characters (a UUID is the usual choice).</summary>
    public static bool IsValidKey(string? key) =>
        key is { Length: > 0 and <= MaxKeyLength } && key.All(c => c is >= ' ' and <= '~');

    /// <summary>Claims the key for this request, or says what to answer instead.</summary>
    public async Task<IdempotencyDecision> ReserveAsync(IdempotentRequest request, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // Between the insert and the read the row may be released or go stale; another round settles that.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var now = clock.GetUtcNow();
            if (await TryReserveAsync(connection, request, now, cancellationToken) is { } id)
            {
                return new IdempotencyDecision(IdempotencyOutcome.Reserved, id);
            }

            if (await FindAsync(connection, request, cancellationToken) is { } existing && !IsReplaceable(existing, now))
            {
                return Decide(existing, request);
            }
        }

        return new IdempotencyDecision(IdempotencyOutcome.InProgress);
    }

    /// <summary>Stores the answer of a reserved request, for its retries.</summary>
    public async Task CompleteAsync(Guid reservationId, IdempotentResponse response, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(CompleteSql);
        command.Parameters.Add(new NpgsqlParameter { Value = reservationId });
        command.Parameters.Add(new NpgsqlParameter { Value = response.Status });
        command.Parameters.Add(Text(response.ContentType));
        command.Parameters.Add(Text(response.Location));
        command.Parameters.Add(Text(response.ETag));
        command.Parameters.Add(new NpgsqlParameter { Value = encryption.EncryptBytes(response.Body) });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Frees the key of a request that did not reach a final answer, so the client can retry it.</summary>
    public async Task ReleaseAsync(Guid reservationId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ReleaseSql);
        command.Parameters.Add(new NpgsqlParameter { Value = reservationId });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes expired keys in batches, so a large backlog never holds long locks; returns how many.</summary>
    public static async Task<int> PurgeExpiredAsync(HealthcareDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var total = 0;
        int deleted;
        do
        {
            deleted = await db.IdempotencyRecords
                .Where(r => r.ExpiresAt <= now)
                .OrderBy(r => r.ExpiresAt)
                .Take(PurgeBatchSize)
                .ExecuteDeleteAsync(cancellationToken);
            total += deleted;
        }
        while (deleted == PurgeBatchSize);

        return total;
    }

    private static async Task<Guid?> TryReserveAsync(NpgsqlConnection connection, IdempotentRequest request, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7(now);
        await using var command = new NpgsqlCommand(ReserveSql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = (object?)request.UserId ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = request.Key });
        command.Parameters.Add(new NpgsqlParameter { Value = request.Method });
        command.Parameters.Add(new NpgsqlParameter { Value = request.Route });
        command.Parameters.Add(new NpgsqlParameter { Value = request.Path });
        command.Parameters.Add(new NpgsqlParameter { Value = request.RequestHash });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { Value = now + Lifetime });
        command.Parameters.Add(new NpgsqlParameter { Value = now - AbandonedAfter });
        return await command.ExecuteScalarAsync(cancellationToken) is Guid reserved ? reserved : null;
    }

    private static async Task<IdempotencyRecord?> FindAsync(NpgsqlConnection connection, IdempotentRequest request, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(request.UserId is null ? FindAnonymousSql : FindUserSql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = request.Key });
        if (request.UserId is { } userId)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = userId });
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new IdempotencyRecord
        {
            Id = reader.GetGuid(0),
            UserId = request.UserId,
            Key = request.Key,
            Method = reader.GetString(1),
            Route = reader.GetString(2),
            Path = reader.GetString(3),
            RequestHash = reader.GetFieldValue<byte[]>(4),
            State = reader.GetString(5),
            ResponseStatus = await reader.IsDBNullAsync(6, cancellationToken) ? null : reader.GetInt32(6),
            ResponseContentType = await reader.IsDBNullAsync(7, cancellationToken) ? null : reader.GetString(7),
            ResponseLocation = await reader.IsDBNullAsync(8, cancellationToken) ? null : reader.GetString(8),
            ResponseETag = await reader.IsDBNullAsync(9, cancellationToken) ? null : reader.GetString(9),
            ResponseBody = await reader.IsDBNullAsync(10, cancellationToken) ? null : reader.GetString(10),
            CreatedAt = reader.GetFieldValue<DateTimeOffset>(11),
            ExpiresAt = reader.GetFieldValue<DateTimeOffset>(12),
        };
    }

    /// <summary>The same conditions as the reservation's <c>WHERE</c>: expired, or pending and abandoned.</summary>
    private static bool IsReplaceable(IdempotencyRecord record, DateTimeOffset now) =>
        record.ExpiresAt <= now || (record.State == IdempotencyStates.Pending && record.CreatedAt <= now - AbandonedAfter);

    private IdempotencyDecision Decide(IdempotencyRecord existing, IdempotentRequest request)
    {
        if (existing.Method != request.Method || existing.Route != request.Route || existing.Path != request.Path ||
            !CryptographicOperations.FixedTimeEquals(existing.RequestHash, request.RequestHash))
        {
            return new IdempotencyDecision(IdempotencyOutcome.Mismatch);
        }

        if (existing.State != IdempotencyStates.Completed)
        {
            return new IdempotencyDecision(IdempotencyOutcome.InProgress);
        }

        var body = existing.ResponseBody is null ? [] : encryption.DecryptBytes(existing.ResponseBody);
        return new IdempotencyDecision(
            IdempotencyOutcome.Replay,
            existing.Id,
            new IdempotentResponse(existing.ResponseStatus!.Value, existing.ResponseContentType, existing.ResponseLocation, existing.ResponseETag, body));
    }

    private static NpgsqlParameter Text(string? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };
}
