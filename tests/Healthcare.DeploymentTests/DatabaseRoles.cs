using System.Security.Cryptography;
using System.Text;
using Healthcare.Core.Configuration;
using Healthcare.Testing;
using Npgsql;

namespace Healthcare.DeploymentTests;

/// <summary>
/// The backend's database roles on the test server, as every deployment has them: the owner <c>healthcare</c>, the
/// group roles <c>healthcare_runtime</c> and <c>healthcare_readonly</c>, and their login roles <c>healthcare_app</c>
/// and <c>healthcare_backup</c>. Role names are cluster-wide and test processes share the server, so the names are
/// fixed and each password is derived from the superuser's: every process that creates the roles sets the same ones.
/// To be replaced by <c>TestServers.OwnerUrl</c>, <c>RuntimeUrl</c>, <c>BackupUrl</c> and <c>EnsureRolesAsync</c>,
/// which derive the passwords the same way.
/// </summary>
public static class DatabaseRoles
{
    public const string Owner = "healthcare";
    public const string Runtime = "healthcare_runtime";
    public const string App = "healthcare_app";
    public const string ReadOnly = "healthcare_readonly";
    public const string Backup = "healthcare_backup";

    /// <summary>Lower-case hex SHA-256 of the superuser's password, ':' and the role name.</summary>
    public static string Password(string role)
    {
        var superuserPassword = Uri.UnescapeDataString(new Uri(TestServers.PostgresAdminUrl).UserInfo.Split(':', 2)[1]);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(superuserPassword + ":" + role)));
    }

    /// <summary><paramref name="databaseUrl"/> with the owner's credentials.</summary>
    public static string OwnerUrl(string databaseUrl) => As(databaseUrl, Owner);

    /// <summary><paramref name="databaseUrl"/> with the credentials the API and the worker use.</summary>
    public static string RuntimeUrl(string databaseUrl) => As(databaseUrl, App);

    /// <summary><paramref name="databaseUrl"/> with the credentials backups use.</summary>
    public static string BackupUrl(string databaseUrl) => As(databaseUrl, Backup);

    private static readonly Lazy<Task> Ensured = new(CreateRolesAsync);

    /// <summary>Creates the roles if missing and sets their attributes, memberships and passwords, once per process.</summary>
    public static Task EnsureRolesAsync() => Ensured.Value;

    private static async Task CreateRolesAsync()
    {
        var statements = new[]
        {
            $"ALTER ROLE {Owner} WITH LOGIN NOSUPERUSER CREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '{Password(Owner)}'",
            $"ALTER ROLE {Runtime} WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
            $"ALTER ROLE {ReadOnly} WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS",
            $"ALTER ROLE {App} WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '{Password(App)}'",
            $"ALTER ROLE {Backup} WITH LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '{Password(Backup)}'",
        };

        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(TestServers.PostgresAdminUrl).ConnectionString);
        await connection.OpenAsync();
        // One process at a time changes the roles (PostgreSQL refuses two concurrent changes of one role's row).
        await ExecuteAsync(connection, "SELECT pg_advisory_lock(hashtext('healthcare roles'))");
        foreach (var role in new[] { Owner, Runtime, ReadOnly, App, Backup })
        {
            await TolerateRaceAsync(connection, $"SELECT 1 FROM pg_roles WHERE rolname = '{role}'", $"CREATE ROLE {role}");
        }

        foreach (var statement in statements)
        {
            await ExecuteAsync(connection, statement);
        }

        await TolerateRaceAsync(connection, $"SELECT 1 WHERE pg_has_role('{App}', '{Runtime}', 'MEMBER')", $"GRANT {Runtime} TO {App}");
        await TolerateRaceAsync(connection, $"SELECT 1 WHERE pg_has_role('{Backup}', '{ReadOnly}', 'MEMBER')", $"GRANT {ReadOnly} TO {Backup}");
        await ExecuteAsync(connection, "SELECT pg_advisory_unlock(hashtext('healthcare roles'))");
    }

    /// <summary>Makes the owner role the owner of the database, as <c>CREATE DATABASE ... OWNER healthcare</c> would.</summary>
    public static async Task HandToOwnerAsync(string databaseUrl)
    {
        var name = PostgresConnectionString.Parse(databaseUrl).Database;
        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(TestServers.PostgresAdminUrl).ConnectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, $"ALTER DATABASE \"{name}\" OWNER TO {Owner}");
    }

    private static string As(string databaseUrl, string role) =>
        new UriBuilder(databaseUrl) { UserName = role, Password = Password(role) }.Uri.ToString();

    /// <summary>Runs <paramref name="change"/> unless <paramref name="check"/> finds it done; another process doing it at the same moment is fine.</summary>
    private static async Task TolerateRaceAsync(NpgsqlConnection connection, string check, string change)
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
                // Created by another test process between the check and the change: check again.
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
                // "tuple concurrently updated": a process that does not take the lock above changed the same role.
                await Task.Delay(100 * attempt);
            }
        }
    }
}
