using Healthcare.Core.Audit;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Healthcare.IntegrationTests.Identity;

/// <summary>The group-commit writer behind audited reads, against the real audit table and its chain trigger.</summary>
public sealed class AuditBatchWriterTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task RowsQueuedTogetherShareStatementsAndEveryChainStaysLinked()
    {
        var clinics = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        var writer = NewWriter();
        var prefix = $"batch-{Guid.NewGuid():N}-";
        // Queued before the writer starts, so its loops find them all waiting.
        var written = Enumerable.Range(0, 150)
            .Select(i => writer.AppendAsync(Entry(prefix + i, clinics[i % 3]), DateTimeOffset.UtcNow, CancellationToken.None))
            .ToList();

        await writer.StartAsync(CancellationToken.None);
        await Task.WhenAll(written);
        await writer.StopAsync(CancellationToken.None);

        var rows = await RowsAsync(prefix);
        Assert.Equal(150, rows.Count);
        // Two writer loops: at most two statements (two transactions) for 150 rows.
        Assert.InRange(rows.Select(r => r.Transaction).Distinct().Count(), 1, 2);
        foreach (var clinic in clinics)
        {
            var chains = rows.Where(r => r.ClinicId == clinic).Select(r => r.ChainId).Distinct().ToList();
            Assert.All(chains, chain => Assert.Contains(chain, Enumerable.Range(0, AuditLog.ChainsPerClinic).Select(n => AuditLog.ChainId(clinic, n))));
        }

        var verification = await api.WithDbAsync(db => db.VerifyAsync(CancellationToken.None));
        Assert.True(verification.Intact, verification.FirstBreak?.ToString());
    }

    [Fact]
    public async Task ARefusedRowFailsOnlyItsOwnCaller()
    {
        var writer = NewWriter();
        var prefix = $"refused-{Guid.NewGuid():N}-";
        var good = Enumerable.Range(0, 20)
            .Select(i => writer.AppendAsync(Entry(prefix + i, Guid.NewGuid()), DateTimeOffset.UtcNow, CancellationToken.None))
            .ToList();
        // resource_type is varchar(60): this row cannot be stored.
        var bad = writer.AppendAsync(
            Entry(prefix + "bad", Guid.NewGuid()) with { ResourceType = new string('x', 61) }, DateTimeOffset.UtcNow, CancellationToken.None);

        await writer.StartAsync(CancellationToken.None);
        await Task.WhenAll(good);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => bad);
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(PostgresErrorCodes.StringDataRightTruncation, refused.SqlState);
        Assert.Equal(20, (await RowsAsync(prefix)).Count);
    }

    [Fact]
    public async Task RowsQueuedBeforeAStopAreWrittenAndLaterOnesRefused()
    {
        var writer = NewWriter();
        var prefix = $"stop-{Guid.NewGuid():N}-";
        await writer.StartAsync(CancellationToken.None);
        var written = Enumerable.Range(0, 50)
            .Select(i => writer.AppendAsync(Entry(prefix + i, null), DateTimeOffset.UtcNow, CancellationToken.None))
            .ToList();

        await writer.StopAsync(CancellationToken.None);

        Assert.All(written, task => Assert.True(task.IsCompletedSuccessfully));
        Assert.Equal(50, (await RowsAsync(prefix)).Count);
        // Refused at once (not through the task): nothing is queued after the stop.
        Assert.Throws<InvalidOperationException>(() => { _ = writer.AppendAsync(Entry(prefix + "late", null), DateTimeOffset.UtcNow, CancellationToken.None); });
    }

    [Fact]
    public async Task ACallerThatGivesUpStillHasItsRowWritten()
    {
        var writer = NewWriter();
        var prefix = $"cancel-{Guid.NewGuid():N}-";
        using var cancelled = new CancellationTokenSource();
        var waiting = writer.AppendAsync(Entry(prefix + "0", null), DateTimeOffset.UtcNow, cancelled.Token);

        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        await writer.StartAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        Assert.Single(await RowsAsync(prefix));
    }

    [Fact]
    public async Task RowsHashedByTheWriterMatchTheDatabasesCanonicalTextAndChainWithTriggerWrittenRows()
    {
        var writer = NewWriter();
        var clinic = Guid.NewGuid();
        var prefix = $"hash-{Guid.NewGuid():N}-";
        // Text that PostgreSQL's JSON output escapes, or does not: quotes, backslashes, control characters, non-ASCII.
        const string awkward = "say \"hi\" \\ tab\t nl\n cr\r bell\u0007 del\u007f é ü 漢字 🙂 </script>";
        var at = new DateTimeOffset(2026, 12, 7, 10, 11, 12, TimeSpan.Zero).AddTicks(1234567);
        await writer.StartAsync(CancellationToken.None);
        for (var round = 0; round < 3; round++)
        {
            // Rows of the writer and rows of the insert trigger (a transactional write) on the same chains.
            await Task.WhenAll(Enumerable.Range(0, 20).Select(i => writer.AppendAsync(
                Entry($"{prefix}{round}-{i}", clinic) with { UserAgent = awkward, Reason = awkward, UserRole = "clinic_admin", UserId = Guid.NewGuid() },
                at, CancellationToken.None)));
            await api.WithDbAsync(async db =>
            {
                await db.WriteAsync(Entry($"{prefix}{round}-trigger", clinic) with { Reason = awkward }, at, CancellationToken.None);
                return true;
            });
        }

        await writer.StopAsync(CancellationToken.None);

        var stored = await api.WithDbAsync(db => db.Database.SqlQuery<CanonicalRow>($"""
            SELECT e.id, e.chain_id, e.user_id, e.request_id, audit_events_canonical(e) AS canonical FROM audit_events e
            WHERE e.request_id LIKE {prefix + "%"} AND e.request_id NOT LIKE '%trigger' ORDER BY e.id LIMIT 1
            """).SingleAsync());
        var entry = Entry(stored.RequestId, clinic) with { UserAgent = awkward, Reason = awkward, UserRole = "clinic_admin", UserId = stored.UserId };
        Assert.Equal(stored.Canonical, AuditChainHash.Canonical(stored.Id, stored.ChainId, at, entry, awkward));
        Assert.Equal(63, (await RowsAsync(prefix)).Count);
        var verification = await api.WithDbAsync(db => db.VerifyAsync(CancellationToken.None));
        Assert.True(verification.Intact, verification.FirstBreak?.ToString());
    }

    private AuditBatchWriter NewWriter() =>
        new(api.Services.GetRequiredService<NpgsqlDataSource>(), NullLogger<AuditBatchWriter>.Instance);

    private static AuditEntry Entry(string requestId, Guid? clinicId) =>
        new(AuditActions.Read, "Appointment", AuditOutcomes.Success) { RequestId = requestId, ClinicId = clinicId, ResourceId = "1" };

    private Task<List<StoredRow>> RowsAsync(string prefix) => api.WithDbAsync(db => db.Database
        .SqlQuery<StoredRow>($"SELECT xmin::text AS transaction, chain_id, clinic_id FROM audit_events WHERE request_id LIKE {prefix + "%"}")
        .ToListAsync());

    private sealed record StoredRow(string Transaction, Guid ChainId, Guid? ClinicId);

    private sealed record CanonicalRow(long Id, Guid ChainId, Guid? UserId, string RequestId, string Canonical);
}
