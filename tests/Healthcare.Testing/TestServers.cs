using Healthcare.Core.Configuration;
using Healthcare.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Healthcare.Testing;

/// <summary>
/// The PostgreSQL and Redis servers that <c>make test</c> starts on loopback for this run. Tests never
/// skip without them: a missing server is a failure with instructions.
/// </summary>
public static class TestServers
{
    public static string PostgresAdminUrl => Required("TEST_DATABASE_URL");

    public static string RedisUrl => Required("TEST_REDIS_URL");

    /// <summary>The role that owns each test database and runs its migrations, as the migrator does in a deployment.</summary>
    public const string OwnerRole = "healthcare";

    /// <summary>The login role of the API and the worker: a member of <see cref="DatabaseSchema.RuntimeRole"/>.</summary>
    public const string AppRole = "healthcare_app";

    /// <summary>The login role of backups: a member of <see cref="DatabaseSchema.ReadOnlyRole"/>.</summary>
    public const string BackupRole = "healthcare_backup";

    private static readonly Lazy<Task> Roles = new(() => CreateRolesAsync(AdminConnectionString));

    /// <summary>
    /// Creates an empty database for one test class, owned by <see cref="OwnerRole"/>, and returns its URL with the
    /// test server's superuser credentials (for the test's own set-up and checks). Give the API and the worker
    /// <see cref="RuntimeUrl"/>, as a deployment does.
    /// </summary>
    public static async Task<string> CreateDatabaseAsync(string purpose)
    {
        await EnsureRolesAsync();
        var name = $"hb_{purpose.ToLowerInvariant()}_{Guid.NewGuid():N}"[..40];
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\" OWNER {OwnerRole}", connection);
        await command.ExecuteNonQueryAsync();
        return DatabaseUrl(name);
    }

    /// <summary>
    /// <see cref="CreateDatabaseAsync"/>, then <see cref="MigrateAsync"/>; a database whose migration failed is dropped
    /// again (xunit ends no fixture whose start failed).
    /// </summary>
    public static async Task<string> CreateMigratedDatabaseAsync(string purpose)
    {
        var databaseUrl = await CreateDatabaseAsync(purpose);
        try
        {
            await MigrateAsync(databaseUrl);
        }
        catch
        {
            await DropDatabaseAsync(databaseUrl);
            throw;
        }

        return databaseUrl;
    }

    /// <summary>The owner, runtime and backup roles exist on the test server (created once per server).</summary>
    public static Task EnsureRolesAsync() => Roles.Value;

    /// <summary>The same database as the migrator reaches it: as its owner.</summary>
    public static string OwnerUrl(string databaseUrl) => WithRole(databaseUrl, OwnerRole);

    /// <summary>The same database as the API and the worker reach it: as the runtime role, which owns nothing.</summary>
    public static string RuntimeUrl(string databaseUrl) => WithRole(databaseUrl, AppRole);

    /// <summary>The same database as backups reach it: read-only.</summary>
    public static string BackupUrl(string databaseUrl) => WithRole(databaseUrl, BackupRole);

    /// <summary>
    /// A role's password: derived from the superuser's, so that every test process on one server agrees on it
    /// without sharing state.
    /// </summary>
    public static string PasswordOf(string role)
    {
        var superuserPassword = new Uri(PostgresAdminUrl).UserInfo.Split(':', 2) is [_, var password] ? Uri.UnescapeDataString(password) : "";
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{superuserPassword}:{role}")));
    }

    private static string WithRole(string databaseUrl, string role)
    {
        // A setting that is not a URL (a test of configuration errors) is passed on unchanged.
        if (!Uri.TryCreate(databaseUrl, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("postgres" or "postgresql"))
        {
            return databaseUrl;
        }

        var uri = new UriBuilder(parsed);
        // Only a URL of the test server's own roles is rewritten; another one (an unreachable server) stays as it is.
        var user = Uri.UnescapeDataString(uri.UserName);
        if (user != new UriBuilder(PostgresAdminUrl).UserName && user is not (OwnerRole or AppRole or BackupRole))
        {
            return databaseUrl;
        }

        uri.UserName = role;
        uri.Password = PasswordOf(role);
        return uri.Uri.ToString();
    }

    /// <summary>
    /// Creates (or resets) the owner, runtime and backup roles with their passwords (<see cref="PasswordOf"/>) on the server
    /// that <paramref name="adminConnectionString"/> (a superuser) reaches: the test server, or one a test runs itself.
    /// </summary>
    public static async Task CreateRolesAsync(string adminConnectionString)
    {
        string[] attributes =
        [
            // The owner creates databases too: a restore makes a new database in its name.
            $"ALTER ROLE {OwnerRole} WITH LOGIN NOSUPERUSER CREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '{PasswordOf(OwnerRole)}'",
            $"ALTER ROLE {DatabaseSchema.RuntimeRole} WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
            $"ALTER ROLE {DatabaseSchema.ReadOnlyRole} WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
            $"ALTER ROLE {AppRole} WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '{PasswordOf(AppRole)}'",
            $"ALTER ROLE {BackupRole} WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '{PasswordOf(BackupRole)}'",
        ];
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        // Test processes run side by side on one server: one at a time changes the roles (PostgreSQL refuses two
        // concurrent changes of one role's row).
        await ExecuteAsync(connection, "SELECT pg_advisory_lock(hashtext('healthcare-test-roles'))");
        foreach (var role in new[] { OwnerRole, DatabaseSchema.RuntimeRole, DatabaseSchema.ReadOnlyRole, AppRole, BackupRole })
        {
            await UnlessDoneAsync(connection, $"SELECT 1 FROM pg_roles WHERE rolname = '{role}'", $"CREATE ROLE {role}");
        }

        foreach (var statement in attributes)
        {
            await ExecuteAsync(connection, statement);
        }

        await UnlessDoneAsync(connection, $"SELECT 1 WHERE pg_has_role('{AppRole}', '{DatabaseSchema.RuntimeRole}', 'MEMBER')", $"GRANT {DatabaseSchema.RuntimeRole} TO {AppRole}");
        await UnlessDoneAsync(connection, $"SELECT 1 WHERE pg_has_role('{BackupRole}', '{DatabaseSchema.ReadOnlyRole}', 'MEMBER')", $"GRANT {DatabaseSchema.ReadOnlyRole} TO {BackupRole}");
        await ExecuteAsync(connection, "SELECT pg_advisory_unlock(hashtext('healthcare-test-roles'))");
    }

    /// <summary>Runs <paramref name="change"/> unless <paramref name="check"/> finds it done (another process may be doing it too).</summary>
    private static async Task UnlessDoneAsync(NpgsqlConnection connection, string check, string change)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using (var probe = new NpgsqlCommand(check, connection))
            {
                if (await probe.ExecuteScalarAsync() is not null)
                {
                    return;
                }
            }

            try
            {
                await ExecuteAsync(connection, change);
                return;
            }
            catch (PostgresException e) when (attempt < 5 && e.SqlState is PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.UniqueViolation)
            {
                // Done by another test process between the check and the change: check again.
            }
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (attempt < 5 && e.SqlState == PostgresErrorCodes.InternalError && e.MessageText.Contains("concurrently", StringComparison.Ordinal))
            {
                // "tuple concurrently updated": a process outside the lock (a script of the tests) changed the same role.
                await Task.Delay(100 * attempt);
            }
        }
    }

    /// <summary>A DbContext on <paramref name="databaseUrl"/> outside any API host (migrations, test data).</summary>
    public static HealthcareDbContext OpenDbContext(string databaseUrl)
    {
        var options = new DbContextOptionsBuilder<HealthcareDbContext>();
        DataServices.ConfigureDbContext(options, PostgresConnectionString.Parse(databaseUrl).ConnectionString);
        return new HealthcareDbContext(options.Options);
    }

    /// <summary>Applies the migrations before any host starts, as the migrator does before the API in a deployment.</summary>
    public static async Task MigrateAsync(string databaseUrl)
    {
        await using var db = OpenDbContext(OwnerUrl(databaseUrl));
        await DatabaseSchema.MigrateAsync(db);
    }

    /// <summary>Drops the database, if any: a fixture whose start failed before creating it passes an empty URL.</summary>
    public static async Task DropDatabaseAsync(string databaseUrl)
    {
        if (databaseUrl.Length == 0)
        {
            return;
        }

        var name = PostgresConnectionString.Parse(databaseUrl).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A URL with the same credentials for another database on the test server.</summary>
    public static string DatabaseUrl(string database)
    {
        var uri = new UriBuilder(PostgresAdminUrl) { Path = "/" + database };
        return uri.Uri.ToString();
    }

    /// <summary>The same database on the hot-standby streaming replica of the test server.</summary>
    public static string ReplicaUrl(string databaseUrl)
    {
        var replica = new Uri(Required("TEST_REPLICA_DATABASE_URL"));
        var uri = new UriBuilder(databaseUrl) { Port = replica.Port, Host = replica.Host };
        return uri.Uri.ToString();
    }

    /// <summary>A loopback address where nothing listens, to stand for a server that is down.</summary>
    public static string UnreachablePostgresUrl => $"postgresql://nobody:nothing@127.0.0.1:{FreePort.Next()}/none";

    public static string UnreachableRedisUrl => $"redis://127.0.0.1:{FreePort.Next()}";

    private static string AdminConnectionString => PostgresConnectionString.Parse(PostgresAdminUrl).ConnectionString;

    private static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{variable} is not set. Run the tests with `make test`, which starts PostgreSQL and Redis for them.");
}
