using Healthcare.Core.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Healthcare.Core.Data;

/// <summary>Registers PostgreSQL (an Npgsql data source and the pooled DbContext) and Redis.</summary>
public static class DataServices
{
    public static IServiceCollection AddDataServices(this IServiceCollection services, string applicationName)
    {
        services.AddValidatedSettings<DatabaseOptions, DatabaseOptionsValidator>();
        services.AddValidatedSettings<RedisOptions, RedisOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddValidatedSettings<Security.FieldEncryptionOptions, Security.FieldEncryptionOptionsValidator>();
        services.AddSingleton<Security.FieldEncryption>();
        services.AddSingleton<CreatedAtInterceptor>();
        services.AddSingleton<LookupDatabase>();

        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var connection = PostgresConnectionString.Parse(options.Url);
            connection.MaxPoolSize = options.PoolMax;
            connection.CommandTimeout = options.CommandTimeoutSeconds;
            connection.Timeout = options.ConnectTimeoutSeconds;
            connection.ApplicationName ??= applicationName;
            // Statements run often enough are prepared on the server automatically (DB_AUTO_PREPARE, 0 = never).
            connection.MaxAutoPrepare = options.AutoPrepare;
            // The application keeps no session state (no SET, session advisory locks or temporary tables; the worker's
            // LISTEN holds its connection for good), so a pooled connection needs no reset: it would cost the server a
            // statement each time a connection is taken, and it is what PgBouncer in transaction mode expects.
            connection.NoResetOnClose = true;
            var builder = new NpgsqlDataSourceBuilder(connection.ConnectionString);
            // Names the pool in metrics (instead of its connection string).
            builder.Name = applicationName;
            builder.UseLoggerFactory(sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>());
            return builder.Build();
        });

        services.AddDbContextPool<HealthcareDbContext>((sp, options) =>
        {
            ConfigureDbContext(options, sp.GetRequiredService<NpgsqlDataSource>());
            options.AddInterceptors(sp.GetRequiredService<CreatedAtInterceptor>());
        });

        services.AddSingleton<IConnectionMultiplexer>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<RedisOptions>>().Value;
            var configuration = RedisConnection.Parse(options.Url);
            configuration.ClientName = applicationName;
            return ConnectionMultiplexer.Connect(configuration);
        });

        return services;
    }

    /// <summary>A data source of its own (the read replica, the look-up pool) with pooled no-tracking contexts over it.</summary>
    internal static (NpgsqlDataSource Source, PooledDbContextFactory<HealthcareDbContext> Contexts) ReadOnlyPool(
        string? url, string name, int poolSize, int connectTimeoutSeconds, DatabaseOptions settings, ILoggerFactory loggers)
    {
        var connection = PostgresConnectionString.Parse(url);
        connection.MaxPoolSize = poolSize;
        connection.CommandTimeout = settings.CommandTimeoutSeconds;
        connection.Timeout = connectTimeoutSeconds;
        connection.ApplicationName ??= name;
        connection.MaxAutoPrepare = settings.AutoPrepare;
        // No session state, so no reset on each use (see above).
        connection.NoResetOnClose = true;
        var builder = new NpgsqlDataSourceBuilder(connection.ConnectionString) { Name = name };
        builder.UseLoggerFactory(loggers);
        var source = builder.Build();
        var options = new DbContextOptionsBuilder<HealthcareDbContext>();
        ConfigureDbContext(options, source);
        options.UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);
        return (source, new PooledDbContextFactory<HealthcareDbContext>(options.Options));
    }

    internal static void ConfigureDbContext(DbContextOptionsBuilder options, NpgsqlDataSource dataSource) =>
        QuietFailures(options.UseNpgsql(dataSource, Npgsql).UseSnakeCaseNamingConvention());

    public static void ConfigureDbContext(DbContextOptionsBuilder options, string connectionString) =>
        QuietFailures(options.UseNpgsql(connectionString, Npgsql).UseSnakeCaseNamingConvention());

    /// <summary>
    /// EF Core logs every failed command, query, save and transaction at Error, with the stack, before the caller
    /// sees the exception: a unique-name clash the handler answers 400, or a booking race answered 409, would read
    /// as a server fault. Whoever catches the exception decides how it is logged (the API's exception handler logs
    /// the unexpected ones at Error, jobs log their own failures), so EF Core's copies go to Debug.
    /// </summary>
    private static void QuietFailures(DbContextOptionsBuilder options) =>
        options.ConfigureWarnings(warnings => warnings.Log(
            (RelationalEventId.CommandError, LogLevel.Debug),
            (RelationalEventId.TransactionError, LogLevel.Debug),
            (CoreEventId.SaveChangesFailed, LogLevel.Debug),
            (CoreEventId.QueryIterationFailed, LogLevel.Debug)));

    private static void Npgsql(Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure.NpgsqlDbContextOptionsBuilder npgsql) =>
        npgsql.MigrationsHistoryTable("__ef_migrations_history");
}
