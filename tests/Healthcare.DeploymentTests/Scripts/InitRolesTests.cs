using Healthcare.Core.Configuration;
using Healthcare.Testing;
using Npgsql;

namespace Healthcare.DeploymentTests.Scripts;

/// <summary>
/// devops/scripts/postgres/init-roles.sh, which the PostgreSQL containers of Docker Compose and of the single-instance
/// Kubernetes StatefulSet run on their first start, run here against the test server as the image would run it: the
/// owner, the two group roles and their two login roles, and the database owned by the owner.
/// </summary>
public sealed class InitRolesTests : IAsyncLifetime
{
    private const string InitRoles = "devops/scripts/postgres/init-roles.sh";

    private readonly string _database = $"hb_init_roles_{Guid.NewGuid():N}"[..30];

    public Task InitializeAsync() => TestServers.EnsureRolesAsync();

    public Task DisposeAsync() => TestServers.DropDatabaseAsync(TestServers.DatabaseUrl(_database));

    /// <summary>What the image gives the script: the superuser in POSTGRES_USER, the passwords from the Secret or env file.</summary>
    private Dictionary<string, string?> Environment()
    {
        var admin = new Uri(TestServers.PostgresAdminUrl);
        var userInfo = admin.UserInfo.Split(':', 2);
        var pgBin = System.Environment.GetEnvironmentVariable("TEST_PG_BIN");
        return new Dictionary<string, string?>
        {
            ["PATH"] = string.IsNullOrEmpty(pgBin) ? System.Environment.GetEnvironmentVariable("PATH") : pgBin + ":" + System.Environment.GetEnvironmentVariable("PATH"),
            ["POSTGRES_USER"] = Uri.UnescapeDataString(userInfo[0]),
            ["PGPASSWORD"] = Uri.UnescapeDataString(userInfo[1]),
            ["PGHOST"] = admin.Host,
            ["PGPORT"] = admin.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PGDATABASE"] = null,
            ["HEALTHCARE_DB"] = _database,
            // The roles are the server's, shared with the other tests: the same passwords they use.
            ["HEALTHCARE_OWNER_PASSWORD"] = TestServers.PasswordOf(TestServers.OwnerRole),
            ["HEALTHCARE_APP_PASSWORD"] = TestServers.PasswordOf(TestServers.AppRole),
            ["HEALTHCARE_BACKUP_PASSWORD"] = TestServers.PasswordOf(TestServers.BackupRole),
        };
    }

    [Fact]
    public async Task CreatesTheRolesAndTheDatabaseOwnedByTheOwnerAndCanRunAgain()
    {
        for (var run = 1; run <= 2; run++)
        {
            var result = await Script.RunAsync(InitRoles, [], Environment());
            Assert.True(result.ExitCode == 0, $"run {run}: {result}");
            Assert.Contains($"database {_database} are in place", result.Stdout);
        }

        await using var admin = new NpgsqlConnection(PostgresConnectionString.Parse(TestServers.PostgresAdminUrl).ConnectionString);
        await admin.OpenAsync();
        Assert.Equal(
            [
                "healthcare login=True super=False createdb=True in=",
                "healthcare_app login=True super=False createdb=False in=healthcare_runtime",
                "healthcare_backup login=True super=False createdb=False in=healthcare_readonly",
                "healthcare_readonly login=False super=False createdb=False in=",
                "healthcare_runtime login=False super=False createdb=False in=",
            ],
            await LinesAsync(admin, """
                SELECT format('%s login=%s super=%s createdb=%s in=%s', r.rolname, initcap(r.rolcanlogin::text), initcap(r.rolsuper::text),
                              initcap(r.rolcreatedb::text),
                              coalesce((SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                                         WHERE m.member = r.oid), ''))
                  FROM pg_roles r WHERE r.rolname IN ('healthcare', 'healthcare_runtime', 'healthcare_app', 'healthcare_readonly', 'healthcare_backup')
                 ORDER BY 1
                """));
        Assert.Equal(["healthcare"], await LinesAsync(admin, $"SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = '{_database}'"));

        // The login roles log in to it with the passwords they were given.
        var database = TestServers.DatabaseUrl(_database);
        foreach (var url in new[] { TestServers.OwnerUrl(database), TestServers.RuntimeUrl(database), TestServers.BackupUrl(database) })
        {
            await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(url).ConnectionString);
            await connection.OpenAsync();
            Assert.Equal([new Uri(url).UserInfo.Split(':')[0]], await LinesAsync(connection, "SELECT current_user::text"));
        }
    }

    [Fact]
    public async Task StopsWithOneLineWhenAPasswordIsMissing()
    {
        var environment = Environment();
        environment["HEALTHCARE_APP_PASSWORD"] = null;

        var result = await Script.RunAsync(InitRoles, [], environment);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("init-roles.sh: HEALTHCARE_APP_PASSWORD not set (the postgres container's env file or Secret provides them)\n", result.Stderr);
    }

    [Fact]
    public async Task HelpNamesTheRolesAndUnknownArgumentsAreRefused()
    {
        var help = await Script.RunAsync(InitRoles, ["--help"]);
        Assert.Equal(0, help.ExitCode);
        Assert.StartsWith("Usage: " + InitRoles, help.Stdout, StringComparison.Ordinal);
        foreach (var role in new[] { "healthcare ", "healthcare_runtime", "healthcare_app", "healthcare_readonly", "healthcare_backup" })
        {
            Assert.Contains(role, help.Stdout, StringComparison.Ordinal);
        }

        var unknown = await Script.RunAsync(InitRoles, ["--no-such-option"]);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("--no-such-option", unknown.Stderr, StringComparison.Ordinal);
    }

    private static async Task<List<string>> LinesAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return lines;
    }
}
