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

    // The rows are inserted in chain order, so two batches (of this or another instance) take the chains' locks in
    // the same order and cannot deadlock.
    private const string Insert = """
        INSERT INTO audit_events (chain_id, occurred_at, user_id, user_role, clinic_id, action, resource_type,
            resource_id, patient_id, outcome, ip_address, user_agent, request_id, reason)
        SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::uuid[], $4::text[], $5::uuid[], $6::text[], $7::text[],
            $8::text[], $9::uuid[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
        ORDER BY 1
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
        var chains = new Guid[count];
        var occurred = new DateTimeOffset[count];
        var users = new Guid?[count];
        var roles = new string?[count];
        var clinics = new Guid?[count];
        var actions = new string[count];
        var types = new string[count];
        var resources = new string?[count];
        var patients = new Guid?[count];
        var outcomes = new string[count];
        var addresses = new string?[count];
        var agents = new string?[count];
        var requests = new string?[count];
        var reasons = new string?[count];
        // One chain per clinic per batch: a batch takes as few chain locks as it can.
        var chainOf = new Dictionary<Guid, Guid>();
        for (var i = 0; i < count; i++)
        {
            var (entry, at, _) = batch[i];
            var clinic = entry.ClinicId ?? Guid.Empty;
            if (!chainOf.TryGetValue(clinic, out var chain))
            {
                chain = AuditLog.ChainId(entry.ClinicId, Random.Shared.Next(AuditLog.ChainsPerClinic));
                chainOf[clinic] = chain;
            }

            chains[i] = chain;
            occurred[i] = at;
            users[i] = entry.UserId;
            roles[i] = entry.UserRole;
            clinics[i] = entry.ClinicId;
            actions[i] = entry.Action;
            types[i] = entry.ResourceType;
            resources[i] = entry.ResourceId;
            patients[i] = entry.PatientId;
            outcomes[i] = entry.Outcome;
            addresses[i] = entry.IpAddress;
            agents[i] = AuditLog.Truncate(entry.UserAgent, AuditLog.UserAgentLength);
            requests[i] = entry.RequestId;
            reasons[i] = entry.Reason;
        }

        await using var command = dataSource.CreateCommand(Insert);
        var parameters = command.Parameters;
        parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = chains });
        parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = occurred });
        parameters.Add(new NpgsqlParameter<Guid?[]> { TypedValue = users });
        parameters.Add(Text(roles));
        parameters.Add(new NpgsqlParameter<Guid?[]> { TypedValue = clinics });
        parameters.Add(Text(actions));
        parameters.Add(Text(types));
        parameters.Add(Text(resources));
        parameters.Add(new NpgsqlParameter<Guid?[]> { TypedValue = patients });
        parameters.Add(Text(outcomes));
        parameters.Add(Text(addresses));
        parameters.Add(Text(agents));
        parameters.Add(Text(requests));
        parameters.Add(Text(reasons));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlParameter<string?[]> Text(string?[] values) =>
        new() { TypedValue = values, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    [LoggerMessage(Level = LogLevel.Warning, Message = "A batch of {Count} audit rows was refused ({SqlState}); writing them one by one")]
    private static partial void LogBatchRefused(ILogger logger, int count, string sqlState);

    private sealed record Pending(AuditEntry Entry, DateTimeOffset OccurredAt, TaskCompletionSource Written);
}
