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

    /// <summary>Creates an empty database for one test class and returns its DATABASE_URL.</summary>
    public static async Task<string> CreateDatabaseAsync(string purpose)
    {
        var name = $"hb_{purpose.ToLowerInvariant()}_{Guid.NewGuid():N}"[..40];
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return DatabaseUrl(name);
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
        await using var db = OpenDbContext(databaseUrl);
        await DatabaseSchema.MigrateAsync(db);
    }

    public static async Task DropDatabaseAsync(string databaseUrl)
    {
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
