using System.Net.Http.Json;
using Healthcare.Api.Features.Patients;
using Healthcare.Core.Audit;
using Healthcare.Core.Configuration;
using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Scheduling;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Healthcare.IntegrationTests.Faults;

/// <summary>
/// A client that hangs up does not cancel the work it asked for (ADR 40): the write it sent is finished,
/// stored and audited, and nothing is logged as an error. Cancelling would make Npgsql send PostgreSQL a cancel
/// request synchronously on a thread-pool thread; a burst of hang-ups then stalls every other request.
/// </summary>
public sealed class ClientDisconnectTests
{
    private const int HungUp = 8;

    [Fact]
    public async Task WritesWhoseClientsHangUpAreFinishedAuditedAndLogNoError()
    {
        var databaseUrl = await TestServers.CreateDatabaseAsync(nameof(ClientDisconnectTests));
        try
        {
            await TestServers.MigrateAsync(databaseUrl);
            var setup = await ClinicSetup.CreateAsync(databaseUrl, patients: 0);
            var account = await FaultApis.CreateUserAsync(databaseUrl, ClinicRoles.Receptionist, setup.ClinicId);
            var api = await FaultApis.StartAsync(databaseUrl);
            await using var _ = api;
            using var client = FaultApis.Client(api, await FaultApis.TokenAsync(api, account));

            // The writes wait on a lock the test holds until their clients have gone.
            await using var blocker = new NpgsqlConnection(PostgresConnectionString.Parse(databaseUrl).ConnectionString);
            await blocker.OpenAsync();
            await using var transaction = await blocker.BeginTransactionAsync();
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE patients IN ACCESS EXCLUSIVE MODE", blocker, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            using var hangUp = new CancellationTokenSource();
            var writes = Enumerable.Range(0, HungUp).Select(i => client.PostAsJsonAsync(
                $"/api/v1/clinics/{setup.ClinicId}/patients", NewPatient(i), hangUp.Token)).ToList();
            await WaitForLockWaitersAsync(blocker, HungUp);
            await hangUp.CancelAsync();
            foreach (var write in writes)
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => write);
            }

            // Give the API time to notice the closed connections before the lock goes.
            await Task.Delay(TimeSpan.FromSeconds(1));
            await transaction.RollbackAsync();

            await using var db = TestServers.OpenDbContext(databaseUrl);
            var deadline = DateTime.UtcNow + TestTimeouts.Scaled(TimeSpan.FromSeconds(20));
            while (await db.Patients.CountAsync(p => p.ClinicId == setup.ClinicId) < HungUp && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            Assert.Equal(HungUp, await db.Patients.CountAsync(p => p.ClinicId == setup.ClinicId));
            var audited = await db.AuditEvents.Where(e => e.UserId == account.Id && e.Action == AuditActions.Create)
                .Select(e => e.Outcome).ToListAsync();
            Assert.Equal(Enumerable.Repeat(AuditOutcomes.Success, HungUp), audited);
            var errors = FaultApis.ErrorLines(api);
            Assert.True(errors.Count == 0, string.Join('\n', errors));
        }
        finally
        {
            await TestServers.DropDatabaseAsync(databaseUrl);
        }
    }

    private static async Task WaitForLockWaitersAsync(NpgsqlConnection blocker, int count)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Scaled(TimeSpan.FromSeconds(20));
        await using var waiting = new NpgsqlCommand(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'patients'::regclass", blocker);
        while ((long)(await waiting.ExecuteScalarAsync())! < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} writes reached the database");
            await Task.Delay(50);
        }
    }

    private static PatientRequest NewPatient(int index) => new(
        "Hung", $"Up{index}", new DateOnly(1980, 2, 29), "female", null, null, null, null, "en", null, null, null, null);
}
