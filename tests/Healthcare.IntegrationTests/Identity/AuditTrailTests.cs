using System.Net;
using System.Net.Http.Json;
using Healthcare.Api.Commands;
using Healthcare.Api.Features.Audit;
using Healthcare.Core.Audit;
using Healthcare.Core.Configuration;
using Healthcare.Core.Identity;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Healthcare.IntegrationTests.Identity;

public sealed class AuditTrailTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task LoginsAndFailedLoginsAreAuditedWithRequestContext()
    {
        var clinic = await api.CreateClinicAsync();
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        var client = api.CreateClient();
        client.DefaultRequestHeaders.UserAgent.ParseAdd("audit-test/1.0");
        using var good = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login") { Content = JsonContent.Create(new { doctor.Email, doctor.Password }) };
        good.Headers.Add("X-Request-Id", "audit-login-ok");
        using var bad = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login") { Content = JsonContent.Create(new { doctor.Email, Password = "wrong password here" }) };
        bad.Headers.Add("X-Request-Id", "audit-login-bad");

        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(good)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(bad)).StatusCode);

        var rows = await api.WithDbAsync(db => db.AuditEvents.Where(e => e.UserId == doctor.Id).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal([AuditActions.Login, AuditActions.FailedLogin], rows.Select(r => r.Action));
        Assert.Equal([AuditOutcomes.Success, AuditOutcomes.Denied], rows.Select(r => r.Outcome));
        Assert.Equal(["audit-login-ok", "audit-login-bad"], rows.Select(r => r.RequestId));
        Assert.All(rows, r => Assert.Equal("audit-test/1.0", r.UserAgent));
        Assert.All(rows, r => Assert.Equal(32, r.Hash.Length));
        var verification = await api.WithDbAsync(db => db.VerifyAsync(CancellationToken.None));
        Assert.True(verification.Intact, verification.FirstBreak?.ToString());
    }

    [Theory]
    [InlineData("UPDATE audit_events SET outcome = 'success'")]
    [InlineData("DELETE FROM audit_events")]
    [InlineData("TRUNCATE audit_events")]
    public async Task DatabaseRefusesToChangeOrRemoveAuditRows(string sql)
    {
        await WriteEventsAsync(api, 1, null);

        // As the owner: the runtime role is refused before the trigger runs (DatabaseRoleTests); the trigger stops the owner too.
        var error = await Assert.ThrowsAsync<PostgresException>(() => api.WithOwnerDbAsync(db => db.Database.ExecuteSqlRawAsync(sql)));

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, error.SqlState);
        Assert.Contains("append-only", error.MessageText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentWritersKeepEachChainLinear()
    {
        var clinicA = Guid.NewGuid();
        var clinicB = Guid.NewGuid();

        await Task.WhenAll(Enumerable.Range(0, 80).Select(i => WriteEventsAsync(api, 1, i % 2 == 0 ? clinicA : clinicB)));

        var result = await api.WithDbAsync(db => db.VerifyAsync(CancellationToken.None));
        Assert.True(result.Intact, result.FirstBreak?.ToString());
        foreach (var clinic in new[] { clinicA, clinicB })
        {
            var events = await api.WithDbAsync(db => db.AuditEvents.Where(e => e.ClinicId == clinic).OrderBy(e => e.Id).ToListAsync());
            Assert.Equal(40, events.Count);
            var chains = events.GroupBy(e => e.ChainId).ToList();
            // Spread over the clinic's chains (40 events all in one of 16 chains would be a broken spread).
            Assert.True(chains.Count > 1, "events should be spread over several chains");
            Assert.All(chains, chain => Assert.Contains(chain.Key, Enumerable.Range(0, AuditLog.ChainsPerClinic).Select(n => AuditLog.ChainId(clinic, n))));
            foreach (var links in chains.Select(c => c.ToList()))
            {
                Assert.Null(links[0].PreviousHash);
                for (var i = 1; i < links.Count; i++)
                {
                    Assert.Equal(links[i - 1].Hash, links[i].PreviousHash);
                }
            }
        }
    }

    [Fact]
    public async Task VerifyEndpointIsForSuperAdminsOnly()
    {
        var clinic = await api.CreateClinicAsync();
        var clinicAdmin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id));

        Assert.Equal(HttpStatusCode.Forbidden, (await clinicAdmin.GetAsync("/api/v1/audit-events/verify")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CreateClient().GetAsync("/api/v1/audit-events/verify")).StatusCode);
    }

    internal static Task<int> WriteEventsAsync(ApiFactory api, int count, Guid? clinicId, int? chain = null) => api.WithDbAsync(async db =>
    {
        for (var i = 0; i < count; i++)
        {
            await db.WriteAsync(new AuditEntry(AuditActions.Read, "Test", AuditOutcomes.Success) { ClinicId = clinicId }, DateTimeOffset.UtcNow, CancellationToken.None, chain);
        }

        return count;
    });

    /// <summary>What an attacker with database superuser rights could do: change rows with the triggers off.</summary>
    internal static async Task TamperAsync(ApiFactory api, string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(api.DatabaseUrl).ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SET session_replication_role = replica; {sql}; SET session_replication_role = origin;", connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>Tampering tests get their own database each: a broken chain would fail every other verification.</summary>
public sealed class AuditEditDetectionTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task EditedRowIsReportedByTheVerifyEndpointAndCommand()
    {
        await AuditTrailTests.WriteEventsAsync(api, 3, null, chain: 0);
        var target = await api.WithDbAsync(db => db.AuditEvents.OrderByDescending(e => e.Id).Skip(1).Select(e => e.Id).FirstAsync());
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.SuperAdmin));
        var before = await admin.GetFromJsonAsync<AuditVerificationDto>("/api/v1/audit-events/verify");
        Assert.True(before!.Intact);

        await AuditTrailTests.TamperAsync(api, $"UPDATE audit_events SET outcome = 'failure' WHERE id = {target}");

        var after = await admin.GetFromJsonAsync<AuditVerificationDto>("/api/v1/audit-events/verify");
        Assert.False(after!.Intact);
        Assert.Equal(target, after.FirstBrokenEventId);
        Assert.Equal("content does not match its hash", after.Problem);

        var settings = HostProcess.ApiSettings(api.DatabaseUrl);
        await using var command = HostProcess.Start(RepositoryPaths.ApiDll, settings, "verify-audit");
        Assert.Equal(DatabaseCommands.AuditBrokenExitCode, await command.WaitForExitAsync());
        Assert.Contains($"audit trail broken at event {target}", string.Join('\n', command.StandardError), StringComparison.Ordinal);
    }
}

public sealed class AuditDeleteDetectionTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task DeletedRowBreaksTheLinkOfItsSuccessor()
    {
        var clinic = Guid.NewGuid();
        var chain = AuditLog.ChainId(clinic, 5);
        await AuditTrailTests.WriteEventsAsync(api, 3, clinic, chain: 5);
        var ids = await api.WithDbAsync(db => db.AuditEvents.Where(e => e.ChainId == chain).OrderBy(e => e.Id).Select(e => e.Id).ToListAsync());

        await AuditTrailTests.TamperAsync(api, $"DELETE FROM audit_events WHERE id = {ids[1]}");

        var result = await api.WithDbAsync(db => db.VerifyAsync(CancellationToken.None));
        Assert.Equal(ids[2], result.FirstBreak?.EventId);
        Assert.Equal("link to the previous event is broken", result.FirstBreak?.Problem);
    }
}
