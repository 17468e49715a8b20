using System.Net;
using Healthcare.Core.Configuration;
using Healthcare.Core.Data;
using Healthcare.Testing;
using Npgsql;

namespace Healthcare.IntegrationTests.Security;

/// <summary>
/// Least privilege in the database (ADR 42): the API and the worker connect as a role that owns nothing, may only
/// append to and read the audit trail, and can change no table's definition, so neither a flaw in the application
/// nor its stolen credentials can switch off the audit trail's triggers or empty a table.
/// </summary>
public sealed class DatabaseRoleTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string MustBeOwner = "42501";

    public static TheoryData<string, string> RefusedToTheRuntimeRole => new()
    {
        { "ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_or_delete", MustBeOwner },
        { "ALTER TABLE audit_events DISABLE TRIGGER ALL", MustBeOwner },
        { "DROP TRIGGER audit_events_chain ON audit_events", MustBeOwner },
        { "CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$", MustBeOwner },
        { "UPDATE audit_events SET outcome = 'success' WHERE outcome = 'denied'", MustBeOwner },
        { "DELETE FROM audit_events", MustBeOwner },
        { "TRUNCATE audit_events", MustBeOwner },
        { "DROP TABLE audit_events", MustBeOwner },
        { "ALTER TABLE audit_events OWNER TO healthcare_app", MustBeOwner },
        { "TRUNCATE patients", MustBeOwner },
        { "DROP TABLE patients", MustBeOwner },
        { "ALTER TABLE patients ADD COLUMN note text", MustBeOwner },
        { "ALTER TABLE clinical_notes DISABLE TRIGGER clinical_notes_signed_immutable", MustBeOwner },
        { "CREATE TABLE public.stash (id int)", MustBeOwner },
        { "CREATE INDEX ix_stash ON patients (email)", MustBeOwner },
        { "INSERT INTO __ef_migrations_history VALUES ('99999999999999_Forged', '10.0.0')", MustBeOwner },
        { "ALTER FUNCTION log_events_drop_partitions(date) SECURITY INVOKER", MustBeOwner },
        { "DROP TABLE hangfire.job", MustBeOwner },
        { "SELECT log_events_drop_partitions(((now() AT TIME ZONE 'UTC')::date + 1))", "P0001" },
    };

    [Theory]
    [MemberData(nameof(RefusedToTheRuntimeRole))]
    public async Task TheRuntimeRoleIsRefused(string sql, string sqlState)
    {
        await using var connection = await OpenAsync(TestServers.RuntimeUrl(api.DatabaseUrl));

        var refusal = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(connection, sql));

        Assert.Equal(sqlState, refusal.SqlState);
    }

    [Fact]
    public async Task TheRuntimeRoleOwnsNothingAndHoldsNoPowerfulAttribute()
    {
        await using var admin = await OpenAsync(api.DatabaseUrl);

        var owned = await ScalarAsync<long>(admin, $"""
            SELECT (SELECT count(*) FROM pg_class WHERE pg_get_userbyid(relowner) IN ('{TestServers.AppRole}', '{DatabaseSchema.RuntimeRole}'))
                 + (SELECT count(*) FROM pg_proc WHERE pg_get_userbyid(proowner) IN ('{TestServers.AppRole}', '{DatabaseSchema.RuntimeRole}'))
                 + (SELECT count(*) FROM pg_namespace WHERE pg_get_userbyid(nspowner) IN ('{TestServers.AppRole}', '{DatabaseSchema.RuntimeRole}'))
            """);
        var powerful = await ScalarAsync<long>(admin, $"""
            SELECT count(*) FROM pg_roles
            WHERE rolname IN ('{TestServers.AppRole}', '{DatabaseSchema.RuntimeRole}', '{TestServers.BackupRole}', '{DatabaseSchema.ReadOnlyRole}')
              AND (rolsuper OR rolcreatedb OR rolcreaterole OR rolbypassrls OR rolreplication)
            """);
        var tablesOfTheOwner = await ScalarAsync<long>(admin, $"SELECT count(*) FROM pg_tables WHERE schemaname IN ('public', 'hangfire') AND tableowner <> '{TestServers.OwnerRole}'");

        Assert.Equal(0, owned);
        Assert.Equal(0, powerful);
        Assert.Equal(0, tablesOfTheOwner);
    }

    [Fact]
    public async Task TheRuntimeRoleAppendsToAndReadsTheAuditTrailOnly()
    {
        await using var admin = await OpenAsync(api.DatabaseUrl);

        var privileges = await ScalarAsync<string>(admin, $"""
            SELECT string_agg(privilege, ',' ORDER BY privilege) FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS privilege
            WHERE has_table_privilege('{TestServers.AppRole}', 'audit_events', privilege)
            """);

        Assert.Equal("INSERT,SELECT", privileges);
    }

    [Fact]
    public async Task TheBackupRoleReadsEverythingAndWritesNothing()
    {
        await using var backup = await OpenAsync(TestServers.BackupUrl(api.DatabaseUrl));

        Assert.True(await ScalarAsync<long>(backup, "SELECT count(*) FROM __ef_migrations_history") > 0);
        Assert.Equal(0, await ScalarAsync<long>(backup, "SELECT count(*) FROM hangfire.job WHERE false"));
        var insert = await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync(backup, "INSERT INTO clinics (id, name, time_zone, created_at) VALUES (gen_random_uuid(), 'x', 'UTC', now())"));
        Assert.Equal(MustBeOwner, insert.SqlState);
    }

    [Fact]
    public async Task ALogPartitionMadeAtRunTimeIsOwnedByTheOwnerAndReadableByBackups()
    {
        var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(20);
        var partition = $"log_events_p{day:yyyyMMdd}";
        await using (var runtime = await OpenAsync(TestServers.RuntimeUrl(api.DatabaseUrl)))
        {
            await using var create = new NpgsqlCommand("SELECT log_events_create_partitions($1, 1)", runtime) { Parameters = { new() { Value = day } } };
            await create.ExecuteNonQueryAsync();
        }

        await using var admin = await OpenAsync(api.DatabaseUrl);
        await using var backup = await OpenAsync(TestServers.BackupUrl(api.DatabaseUrl));

        Assert.Equal(TestServers.OwnerRole, await ScalarAsync<string>(admin, $"SELECT tableowner::text FROM pg_tables WHERE tablename = '{partition}'"));
        Assert.Equal(0, await ScalarAsync<long>(backup, $"SELECT count(*) FROM {partition}"));
    }

    [Fact]
    public async Task TheApiConnectsAsTheRuntimeRole()
    {
        using var client = api.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
        await using var admin = await OpenAsync(api.DatabaseUrl);

        var users = await ScalarAsync<string>(admin, """
            SELECT string_agg(DISTINCT usename, ',') FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name <> ''
            """);

        Assert.Equal(TestServers.AppRole, users);
    }

    [Fact]
    public async Task TheRuntimeRoleCannotMigrate()
    {
        var databaseUrl = await TestServers.CreateDatabaseAsync(nameof(TheRuntimeRoleCannotMigrate));
        try
        {
            var settings = HostProcess.ApiSettings(databaseUrl);
            await using var migrate = HostProcess.Start(RepositoryPaths.ApiDll, settings, "migrate");

            Assert.NotEqual(0, await migrate.WaitForExitAsync(TimeSpan.FromMinutes(2)));
            await using var admin = await OpenAsync(databaseUrl);
            Assert.Null(await ScalarAsync<string?>(admin, "SELECT to_regclass('patients')::text"));
        }
        finally
        {
            await TestServers.DropDatabaseAsync(databaseUrl);
        }
    }

    private static async Task<NpgsqlConnection> OpenAsync(string url)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnectionString.Parse(url).ConnectionString) { Pooling = false };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull ? default! : (T)value!;
    }
}
