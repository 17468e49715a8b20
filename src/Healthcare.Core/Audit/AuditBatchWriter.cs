using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Healthcare.Core.Audit;

/// <summary>
/// Appends audit rows that belong to no transaction (the rows of reads, and of refused or failed requests) with
/// group commit: each caller waits until its row is committed, but the rows of concurrent callers share one
/// INSERT and one commit. An audited read then costs the database a share of a statement instead of a
/// transaction of its own. A batch that fails on its content is retried row by row, so one bad row fails only its
/// own request; a batch that fails because the database is unreachable fails every waiting caller.
/// </summary>
public sealed partial class AuditBatchWriter(NpgsqlDataSource dataSource, ILogger<AuditBatchWriter> logger) : BackgroundService
{
    /// <summary>Rows in one INSERT at most; a busy API fills batches of a few dozen.</summary>
    public const int MaxBatch = 256;

    /// <summary>Batches written at the same time, so the next batch builds up while one waits for its commit.</summary>
    private const int Writers = 2;

    // Takes the chains' locks, in order, so that two batches (of this or another instance) cannot deadlock; the
    // trigger of a row written inside a transaction takes the same lock.
    private const string Lock = """
        SELECT pg_advisory_xact_lock(hashtextextended('audit_events:' || c::text, 0)) FROM unnest($1::uuid[]) AS c ORDER BY c
        """;

    // Statements after the locks, so they see every row committed before the locks were granted: each chain's last
    // hash, then the batch's ids, drawn under the locks so that id order is chain order.
    private const string Heads = """
        SELECT c, (SELECT e.hash FROM audit_events e WHERE e.chain_id = c ORDER BY e.id DESC LIMIT 1) FROM unnest($1::uuid[]) AS c
        """;

    private const string Ids = "SELECT nextval('audit_events_id_seq') FROM generate_series(1, $1)";

    // Rows that come with their hash skip the insert trigger (WHEN hash IS NULL).
    private const string Insert = """
        INSERT INTO audit_events (id, chain_id, occurred_at, user_id, user_role, clinic_id, action, resource_type,
            resource_id, patient_id, outcome, ip_address, user_agent, request_id, reason, previous_hash, hash)
        SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::timestamptz[], $4::uuid[], $5::text[], $6::uuid[], $7::text[],
            $8::text[], $9::text[], $10::uuid[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
            $16::bytea[], $17::bytea[])
        """;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false });

    /// <summary>Queues the row and completes once it is committed, or fails if it could not be written.</summary>
    public Task AppendAsync(AuditEntry entry, DateTimeOffset occurredAt, CancellationToken cancellationToken)
    {
        var pending = new Pending(entry, occurredAt, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new InvalidOperationException("The audit writer has stopped; the row was not written.");
        }

        // A caller that gives up still has its row written: the access it records did happen.
        return pending.Written.Task.WaitAsync(cancellationToken);
    }

    // The loops end when the queue is completed and empty (StopAsync), not on the stopping token: queued rows are written.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(WriteLoopAsync, CancellationToken.None)));

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Rows queued before the stop are still written: the loops drain the queue, then end.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        // A stop right after the start may come before the loops ran: whatever is still queued is written here.
        await WriteLoopAsync();
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            if (batch.Count > 0)
            {
                await WriteAsync(batch);
                batch.Clear();
            }
        }
    }

    private async Task WriteAsync(List<Pending> batch)
    {
        try
        {
            await InsertAsync(batch, CancellationToken.None);
            foreach (var pending in batch)
            {
                pending.Written.TrySetResult();
            }
        }
        catch (PostgresException e) when (batch.Count > 1)
        {
            // The database answered, so a row's content was refused: find it by writing each row alone.
            LogBatchRefused(logger, batch.Count, e.SqlState);
            foreach (var pending in batch)
            {
                await WriteAsync([pending]);
            }
        }
        catch (Exception e)
        {
            foreach (var pending in batch)
            {
                pending.Written.TrySetException(e);
            }
        }
    }

    private async Task InsertAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        var count = batch.Count;
        // One chain per clinic per batch: a batch takes as few chain locks as it can.
        var chainOf = new Dictionary<Guid, Guid>();
        var chains = new Guid[count];
        for (var i = 0; i < count; i++)
        {
            var clinic = batch[i].Entry.ClinicId ?? Guid.Empty;
            if (!chainOf.TryGetValue(clinic, out var chain))
            {
                chain = AuditLog.ChainId(batch[i].Entry.ClinicId, Random.Shared.Next(AuditLog.ChainsPerClinic));
                chainOf[clinic] = chain;
            }

            chains[i] = chain;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (heads, ids) = await LockChainsAsync(connection, [.. chainOf.Values], count, cancellationToken);

        // The hash chain, in id order within each chain: each row links to the one before it.
        var occurred = new DateTimeOffset[count];
        var agents = new string?[count];
        var previous = new byte[]?[count];
        var hashes = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var (entry, at, _) = batch[i];
            occurred[i] = AuditChainHash.Stored(at);
            agents[i] = AuditLog.Truncate(entry.UserAgent, AuditLog.UserAgentLength);
            previous[i] = heads[chains[i]];
            hashes[i] = AuditChainHash.Of(ids[i], chains[i], occurred[i], entry, agents[i], previous[i]);
            heads[chains[i]] = hashes[i];
        }

        await using var command = new NpgsqlCommand(Insert, connection, transaction);
        var parameters = command.Parameters;
        parameters.Add(new NpgsqlParameter<long[]> { TypedValue = ids });
        parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = chains });
        parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = occurred });
        parameters.Add(new NpgsqlParameter<Guid?[]> { TypedValue = [.. batch.Select(p => p.Entry.UserId)] });
        parameters.Add(Text([.. batch.Select(p => p.Entry.UserRole)]));
        parameters.Add(new NpgsqlParameter<Guid?[]> { TypedValue = [.. batch.Select(p => p.Entry.ClinicId)] });
        parameters.Add(Text([.. batch.Select(p => p.Entry.Action)]));
        parameters.Add(Text([.. batch.Select(p => p.Entry.ResourceType)]));
        parameters.Add(Text([.. batch.Select(p => p.Entry.ResourceId)]));
        parameters.Add(new NpgsqlParameter<Guid?[]> { TypedValue = [.. batch.Select(p => p.Entry.PatientId)] });
        parameters.Add(Text([.. batch.Select(p => p.Entry.Outcome)]));
        parameters.Add(Text([.. batch.Select(p => p.Entry.IpAddress)]));
        parameters.Add(Text(agents));
        parameters.Add(Text([.. batch.Select(p => p.Entry.RequestId)]));
        parameters.Add(Text([.. batch.Select(p => p.Entry.Reason)]));
        parameters.Add(new NpgsqlParameter<byte[]?[]> { TypedValue = previous, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = hashes });
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    // Locks the chains, then reads their last hashes and draws the batch's ids: three statements in one round trip.
    private static async Task<(Dictionary<Guid, byte[]?> Heads, long[] Ids)> LockChainsAsync(
        NpgsqlConnection connection, Guid[] chains, int count, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand(Lock) { Parameters = { new NpgsqlParameter<Guid[]> { TypedValue = chains } } },
                new NpgsqlBatchCommand(Heads) { Parameters = { new NpgsqlParameter<Guid[]> { TypedValue = chains } } },
                new NpgsqlBatchCommand(Ids) { Parameters = { new NpgsqlParameter<int> { TypedValue = count } } },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var heads = new Dictionary<Guid, byte[]?>();
        while (await reader.ReadAsync(cancellationToken))
        {
            heads[reader.GetGuid(0)] = reader.IsDBNull(1) ? null : reader.GetFieldValue<byte[]>(1);
        }

        await reader.NextResultAsync(cancellationToken);
        var ids = new long[count];
        for (var i = 0; i < count && await reader.ReadAsync(cancellationToken); i++)
        {
            ids[i] = reader.GetInt64(0);
        }

        Array.Sort(ids);
        return (heads, ids);
    }

    private static NpgsqlParameter<string?[]> Text(string?[] values) =>
        new() { TypedValue = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} audit rows was refused ({SqlState}); writing them one by one")]
    private static partial void LogBatchRefused(ILogger logger, int count, string sqlState);

    private sealed record Pending(AuditEntry Entry, DateTimeOffset OccurredAt, TaskCompletionSource Written);
}
