using System.Net;
using System.Net.Http.Json;
using Healthcare.Api.Features.Practitioners;
using Healthcare.Api.Platform;
using Healthcare.Core.Identity;
using Healthcare.Core.Practitioners;
using Healthcare.Core.Scheduling;
using Healthcare.IntegrationTests.Scheduling;
using Healthcare.Testing;
using Npgsql;

namespace Healthcare.IntegrationTests.Platform;

/// <summary>An API instance whose list reads may go to the test server's streaming replica.</summary>
public class ReplicaApi : ApiFactory
{
    public ReplicaApi()
    {
    }

    protected ReplicaApi(ApiFactory first, int maxLagSeconds, bool replicaDown = false)
    {
        SharedDatabaseUrl = first.DatabaseUrl;
        MaxLagSeconds = maxLagSeconds;
        ReplicaDown = replicaDown;
    }

    protected int MaxLagSeconds { get; } = 3600;

    protected bool ReplicaDown { get; }

    protected override Dictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["DATABASE_READ_URL"] = ReplicaDown ? TestServers.UnreachablePostgresUrl : TestServers.ReplicaUrl(DatabaseUrl);
        settings["DB_READ_MAX_LAG_SECONDS"] = MaxLagSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return settings;
    }
}

/// <summary>A second instance over the first one's database, with its own lag bound (or a replica that is down).</summary>
public sealed class ReplicaPeer(ApiFactory first, int maxLagSeconds, bool replicaDown = false) : ReplicaApi(first, maxLagSeconds, replicaDown);

/// <summary>
/// Read routing against a real hot-standby replica (pg_basebackup -R, started by the test script). Pausing WAL
/// replay on the replica makes it fall behind on demand. The tests in this class run one after another, and no
/// other test pauses the replica.
/// </summary>
public sealed class ReadReplicaTests(ReplicaApi api) : IClassFixture<ReplicaApi>
{
    private static readonly string[] Cardiology = ["cardiology"];

    [Fact]
    public async Task ListsComeFromTheReplicaAndFallBackToThePrimaryWhenItLagsTooFar()
    {
        var setup = await ClinicSetup.CreateAsync(api, patients: 0);
        var reader = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
        await using var strict = new ReplicaPeer(api, maxLagSeconds: 1);
        await strict.InitializeAsync();
        var strictReader = await strict.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
        var list = $"/api/v1/clinics/{setup.ClinicId}/practitioners";
        await UntilAsync(async () => (await ListAsync(reader, list)).FromReplica && (await ListAsync(strictReader, list)).FromReplica);

        Guid added;
        await using (var paused = await PauseReplayAsync())
        {
            added = await AddPractitionerAsync(setup.ClinicId);

            // Within its (generous) bound the first instance keeps reading the replica, which has not seen the row.
            var stale = await ListAsync(reader, list);
            Assert.True(stale.FromReplica);
            Assert.DoesNotContain(added, stale.Ids);

            // The strict instance notices the lag within a second or two and reads the primary instead.
            await UntilAsync(async () => !(await ListAsync(strictReader, list)).FromReplica);
            Assert.Contains(added, (await ListAsync(strictReader, list)).Ids);
        }

        // Replay resumed: both instances are back on the replica, which now has the row.
        await UntilAsync(async () => await ListAsync(strictReader, list) is { FromReplica: true } page && page.Ids.Contains(added));
        await UntilAsync(async () => (await ListAsync(reader, list)).Ids.Contains(added));
    }

    [Fact]
    public async Task ACallerWhoJustWroteReadsTheirOwnWriteFromThePrimary()
    {
        var setup = await ClinicSetup.CreateAsync(api, patients: 0);
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, setup.ClinicId));
        var list = $"/api/v1/clinics/{setup.ClinicId}/practitioners";
        await UntilAsync(async () => (await ListAsync(admin, list)).FromReplica);
        var metrics = (await api.CreateClient().GetStringAsync("/metrics")).Split('\n');
        Assert.Contains(metrics, line => line.StartsWith("healthcare_db_replica_in_use", StringComparison.Ordinal) && line.TrimEnd().EndsWith(" 1", StringComparison.Ordinal));
        Assert.Contains(metrics, line => line.StartsWith("healthcare_db_replica_lag_seconds", StringComparison.Ordinal));

        await using var paused = await PauseReplayAsync();
        var created = await admin.PostAsJsonAsync(list, new
        {
            displayName = "Dr Replica",
            licenceNumber = "NY-42",
            specialties = Cardiology,
            locationIds = new[] { setup.LocationId },
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<PractitionerDto>())!.Id;

        var page = await ListAsync(admin, list);
        Assert.False(page.FromReplica, "a caller's reads right after a write go to the primary");
        Assert.Contains(id, page.Ids);
    }

    [Fact]
    public async Task WhenTheReplicaIsDownReadsUseThePrimary()
    {
        var setup = await ClinicSetup.CreateAsync(api, patients: 0);
        await using var down = new ReplicaPeer(api, maxLagSeconds: 5, replicaDown: true);
        await down.InitializeAsync();
        var reader = await down.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));

        for (var i = 0; i < 3; i++)
        {
            var page = await ListAsync(reader, $"/api/v1/clinics/{setup.ClinicId}/practitioners");
            Assert.False(page.FromReplica);
            Assert.Contains(setup.PractitionerId, page.Ids);
        }
    }

    private sealed record ListResult(bool FromReplica, List<Guid> Ids);

    private static async Task<ListResult> ListAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadFromJsonAsync<Page<PractitionerDto>>();
        var fromReplica = response.Headers.TryGetValues("X-Read-Source", out var source) && source.Contains("replica");
        return new ListResult(fromReplica, page!.Items.Select(p => p.Id).ToList());
    }

    private async Task<Guid> AddPractitionerAsync(Guid clinicId) => await api.WithDbAsync(async db =>
    {
        var practitioner = new Practitioner { ClinicId = clinicId, DisplayName = "Dr Late", LicenceNumber = "NY-7", Specialties = ["cardiology"] };
        db.Practitioners.Add(practitioner);
        await db.SaveChangesAsync();
        return practitioner.Id;
    });

    /// <summary>Pauses WAL replay on the replica until disposed.</summary>
    private static async Task<IAsyncDisposable> PauseReplayAsync()
    {
        var connection = new NpgsqlConnection(Healthcare.Core.Configuration.PostgresConnectionString
            .Parse(Environment.GetEnvironmentVariable("TEST_REPLICA_DATABASE_URL")).ConnectionString);
        await connection.OpenAsync();
        await using (var pause = new NpgsqlCommand("SELECT pg_wal_replay_pause()", connection))
        {
            await pause.ExecuteNonQueryAsync();
        }

        return new Resume(connection);
    }

    private sealed class Resume(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await using (var resume = new NpgsqlCommand("SELECT pg_wal_replay_resume()", connection))
            {
                await resume.ExecuteNonQueryAsync();
            }

            await connection.DisposeAsync();
        }
    }

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Scaled(TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"the condition did not hold within {TestTimeouts.Scaled(TimeSpan.FromSeconds(20))}");
            await Task.Delay(200);
        }
    }
}
