using Healthcare.Core.Configuration;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Healthcare.Core.Data;

/// <summary>
/// A small pool of its own on the primary for the look-ups that fill caches (session and role checks, clinic and
/// practitioner profiles). A request inside a write transaction already holds one of the main pool's connections
/// when a cache misses; if the look-up took a second one from the same pool, enough concurrent writes waiting on
/// each other (fifty bookings of one slot) would hold every connection while the one that could commit waits for
/// a look-up, until the pool's timeout answers them all 503. From this pool a look-up never waits on a write.
/// Misses read the primary: a lagging replica could put an old value back in the cache.
/// </summary>
public sealed class LookupDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource _source;
    private readonly PooledDbContextFactory<HealthcareDbContext> _contexts;

    public LookupDatabase(IOptions<DatabaseOptions> options, ILoggerFactory loggers)
    {
        var settings = options.Value;
        (_source, _contexts) = DataServices.ReadOnlyPool(
            settings.Url, "healthcare-api-lookups", PoolSize(settings.PoolMax), settings.ConnectTimeoutSeconds, settings, loggers);
    }

    /// <summary>Connections this pool may open beside DB_POOL_MAX: a quarter of it, at least 2 and at most 10.</summary>
    public static int PoolSize(int poolMax) => Math.Clamp(poolMax / 4, 2, 10);

    /// <summary>A read-only (no tracking) context; dispose it to return it to the pool.</summary>
    public HealthcareDbContext CreateContext() => _contexts.CreateDbContext();

    public ValueTask DisposeAsync() => _source.DisposeAsync();
}
