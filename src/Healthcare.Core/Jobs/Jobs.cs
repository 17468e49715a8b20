using Hangfire;
using Hangfire.PostgreSql;
using Healthcare.Core.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Healthcare.Core.Jobs;

/// <summary>The worker's queues, most urgent first.</summary>
public static class JobQueues
{
    public const string Critical = "critical";
    public const string Default = "default";
    public const string Maintenance = "maintenance";

    public static readonly IReadOnlyList<string> All = [Critical, Default, Maintenance];
}

/// <summary>
/// Hangfire's storage on PostgreSQL (its own <c>hangfire</c> schema), shared by the worker, which runs the jobs,
/// and the API, which hosts the dashboard and reads the queue statistics.
/// </summary>
public static class JobStorageSetup
{
    public const string Schema = "hangfire";

    /// <summary>
    /// Creates or upgrades Hangfire's tables; run by the migrator with the EF Core migrations, so that neither
    /// the API nor the worker needs the database at start-up or the right to change its schema.
    /// </summary>
    public static async Task InstallSchemaAsync(DbContext db, CancellationToken cancellationToken = default)
    {
        var connection = (Npgsql.NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            PostgreSqlObjectsInstaller.Install(connection, Schema);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Connections Hangfire's storage may open in a process that runs <paramref name="jobWorkers"/> job workers: one
    /// each, and ten for the servers' own loops (heartbeats, schedulers, counters) and for enqueuing. Npgsql's default
    /// of 100 would leave the connection budget (docs/performance.md) open-ended.
    /// </summary>
    public static int StoragePoolSize(int jobWorkers) => jobWorkers + 10;

    /// <param name="jobWorkers">How many job workers this process runs (none in the API, which only enqueues).</param>
    public static IServiceCollection AddJobStorage(
        this IServiceCollection services, Func<IServiceProvider, int>? jobWorkers = null, Action<IServiceProvider, IGlobalConfiguration>? configure = null)
    {
        services.AddHangfire((sp, configuration) =>
        {
            var database = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var connection = PostgresConnectionString.Parse(database.Url);
            connection.MaxPoolSize = StoragePoolSize(jobWorkers?.Invoke(sp) ?? 0);
            connection.CommandTimeout = database.CommandTimeoutSeconds;
            connection.Timeout = database.ConnectTimeoutSeconds;
            configuration
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UsePostgreSqlStorage(
                    options => options.UseNpgsqlConnection(connection.ConnectionString),
                    new PostgreSqlStorageOptions
                    {
                        SchemaName = Schema,
                        PrepareSchemaIfNecessary = false,
                        // A running job keeps its claim while its worker lives, however long it runs (a bulk export of
                        // a large clinic); a dead worker's jobs are taken up after the invisibility timeout.
                        UseSlidingInvisibilityTimeout = true,
                    });
            configure?.Invoke(sp, configuration);
        });
        services.AddSingleton<QueueStatistics>();
        return services;
    }
}
