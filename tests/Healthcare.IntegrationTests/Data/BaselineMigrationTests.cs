using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.IntegrationTests.Data;

/// <summary>
/// The pre-release migrations were squashed into one baseline (ADR 46): the model matches it, and a database migrated
/// the way the migrator does it has the schema that the former migrations made, grants included.
/// </summary>
public sealed class BaselineMigrationTests(BaselineMigrationTests.MigratedDatabase database)
    : IClassFixture<BaselineMigrationTests.MigratedDatabase>
{
    [Fact]
    public async Task TheModelHasNoChangesWithoutAMigration()
    {
        await using var db = TestServers.OpenDbContext(database.Url);

        Assert.False(db.Database.HasPendingModelChanges(), "The model differs from the last migration: add one with `dotnet ef migrations add`.");
    }

    [Fact]
    public async Task TheMigratorCreatesTheReferenceSchema()
    {
        SchemaDump.AssertMatchesReference(await SchemaDump.DumpAsync(database.Url, database.Today));
    }

    [Fact]
    public async Task TheHistoryHoldsTheBaselineAndTheMigrationsSinceTheFirstRelease()
    {
        await using var db = TestServers.OpenDbContext(database.Url);

        Assert.Equal(["Baseline", "ThirdPartyApps", "BulkExport"], db.Database.GetMigrations().Select(m => m[(m.IndexOf('_', StringComparison.Ordinal) + 1)..]));
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
    }

    /// <summary>A fresh database migrated as its owner, as the migrator does in a deployment.</summary>
    public sealed class MigratedDatabase : IAsyncLifetime
    {
        public string Url { get; private set; } = "";

        /// <summary>The day (UTC, by the database's clock) for which the migration made the first log partition.</summary>
        public DateOnly Today { get; private set; }

        public async Task InitializeAsync()
        {
            Url = await TestServers.CreateDatabaseAsync(nameof(BaselineMigrationTests));
            await TestServers.MigrateAsync(Url);
            await using var db = TestServers.OpenDbContext(Url);
            Today = await db.Database.SqlQuery<DateOnly>($"SELECT (now() AT TIME ZONE 'UTC')::date AS \"Value\"").SingleAsync();
        }

        public Task DisposeAsync() => TestServers.DropDatabaseAsync(Url);
    }
}
