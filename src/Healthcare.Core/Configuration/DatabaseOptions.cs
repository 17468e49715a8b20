using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Healthcare.Core.Configuration;

/// <summary>PostgreSQL settings, read from the environment variables named on each property.</summary>
public sealed class DatabaseOptions
{
    /// <summary>Secret: <c>postgresql://user:password@host:port/database</c> or an Npgsql connection string.</summary>
    [ConfigurationKeyName("DATABASE_URL")]
    public string? Url { get; set; }

    /// <summary>Largest number of pooled connections per process.</summary>
    [ConfigurationKeyName("DB_POOL_MAX")]
    public int PoolMax { get; set; } = 20;

    [ConfigurationKeyName("DB_COMMAND_TIMEOUT_SECONDS")]
    public int CommandTimeoutSeconds { get; set; } = 30;

    [ConfigurationKeyName("DB_CONNECT_TIMEOUT_SECONDS")]
    public int ConnectTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// Statements each connection prepares on the server once they recur (Npgsql's automatic preparation); 0 turns it
    /// off. Behind PgBouncer in transaction mode, keep it only when PgBouncer tracks prepared statements
    /// (1.21 or newer, with <c>max_prepared_statements</c> set); set 0 behind an older PgBouncer.
    /// </summary>
    [ConfigurationKeyName("DB_AUTO_PREPARE")]
    public int AutoPrepare { get; set; } = 50;

    /// <summary>
    /// Secret, optional: a direct connection to the primary for the worker's <c>LISTEN</c>, which a pooler in
    /// transaction mode cannot carry (a notification would reach whichever client holds that server connection
    /// next). Unset, the worker listens over <c>DATABASE_URL</c>.
    /// </summary>
    [ConfigurationKeyName("DATABASE_LISTEN_URL")]
    public string? ListenUrl { get; set; }

    /// <summary>
    /// Secret, optional: a streaming replica (in Kubernetes the CloudNativePG <c>-ro</c> service) for the API's
    /// list and directory reads. Unset, every read goes to <c>DATABASE_URL</c>.
    /// </summary>
    [ConfigurationKeyName("DATABASE_READ_URL")]
    public string? ReadUrl { get; set; }

    /// <summary>Replication lag above which reads go back to the primary; also how long a writer reads its own writes from the primary.</summary>
    [ConfigurationKeyName("DB_READ_MAX_LAG_SECONDS")]
    public int ReadMaxLagSeconds { get; set; } = 5;
}

internal sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        var failures = new List<string>();
        if (!PostgresConnectionString.TryParse(options.Url, out _, out var error))
        {
            failures.Add($"DATABASE_URL {error}");
        }

        if (!string.IsNullOrWhiteSpace(options.ReadUrl) && !PostgresConnectionString.TryParse(options.ReadUrl, out _, out var readError))
        {
            failures.Add($"DATABASE_READ_URL {readError}");
        }

        if (!string.IsNullOrWhiteSpace(options.ListenUrl) && !PostgresConnectionString.TryParse(options.ListenUrl, out _, out var listenError))
        {
            failures.Add($"DATABASE_LISTEN_URL {listenError}");
        }

        Settings.RequireRange(failures, "DB_POOL_MAX", options.PoolMax, 1, 1000);
        Settings.RequireRange(failures, "DB_AUTO_PREPARE", options.AutoPrepare, 0, 1000);
        Settings.RequireRange(failures, "DB_READ_MAX_LAG_SECONDS", options.ReadMaxLagSeconds, 1, 3600);
        Settings.RequireRange(failures, "DB_COMMAND_TIMEOUT_SECONDS", options.CommandTimeoutSeconds, 1, 3600);
        Settings.RequireRange(failures, "DB_CONNECT_TIMEOUT_SECONDS", options.ConnectTimeoutSeconds, 1, 120);
        return Settings.Result(failures);
    }
}
