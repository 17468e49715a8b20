using Microsoft.EntityFrameworkCore;

namespace Healthcare.Core.Data;

/// <summary>
/// What the migrator does to a database, connected as the role that owns it: the EF Core migrations, Hangfire's
/// tables, then the privileges of the two roles that are not the owner (ADR 42). The API and the worker connect
/// as <see cref="RuntimeRole"/>'s members: they read and write rows but own nothing, so they can neither change
/// the schema nor get round the audit trail's triggers. Backups connect as <see cref="ReadOnlyRole"/>'s members.
/// </summary>
public static class DatabaseSchema
{
    /// <summary>Group role (no login) of the API's and the worker's login roles.</summary>
    public const string RuntimeRole = "healthcare_runtime";

    /// <summary>Group role (no login) of the backup login role.</summary>
    public const string ReadOnlyRole = "healthcare_readonly";

    /// <summary>Migrates, installs the job storage and grants; every step is idempotent.</summary>
    public static async Task MigrateAsync(HealthcareDbContext db, CancellationToken cancellationToken = default)
    {
        // EF Core takes a database lock while migrating, so concurrent migrators wait instead of racing.
        await db.Database.MigrateAsync(cancellationToken);
        await Jobs.JobStorageSetup.InstallSchemaAsync(db, cancellationToken);
        await db.Database.ExecuteSqlRawAsync(GrantsSql, cancellationToken);
    }

    /// <summary>
    /// Re-applied after every migration, so that new tables are covered and a role created after the first
    /// deployment is too. A role that does not exist is skipped: a database used by one role alone (a developer's
    /// or a benchmark's) still migrates.
    /// </summary>
    private const string GrantsSql = $$"""
        DO $grants$
        BEGIN
            -- Only the owner creates objects here (PostgreSQL 14 and older let every role create in public).
            REVOKE CREATE ON SCHEMA public FROM PUBLIC;
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{{RuntimeRole}}') THEN
                GRANT USAGE ON SCHEMA public, hangfire TO {{RuntimeRole}};
                GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public, hangfire TO {{RuntimeRole}};
                GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public, hangfire TO {{RuntimeRole}};
                -- The audit trail is appended to and read, nothing else; the migration history only read.
                REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_events FROM {{RuntimeRole}};
                REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON __ef_migrations_history FROM {{RuntimeRole}};
                GRANT EXECUTE ON FUNCTION log_events_create_partitions(date, integer), log_events_drop_partitions(date)
                    TO {{RuntimeRole}};
            END IF;
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = '{{ReadOnlyRole}}') THEN
                GRANT USAGE ON SCHEMA public, hangfire TO {{ReadOnlyRole}};
                GRANT SELECT ON ALL TABLES IN SCHEMA public, hangfire TO {{ReadOnlyRole}};
                GRANT SELECT ON ALL SEQUENCES IN SCHEMA public, hangfire TO {{ReadOnlyRole}};
                -- Tables made later in the owner's name (the stored log's day partitions) are readable too: a
                -- backup dumps every table, partitions included.
                ALTER DEFAULT PRIVILEGES IN SCHEMA public, hangfire GRANT SELECT ON TABLES TO {{ReadOnlyRole}};
                ALTER DEFAULT PRIVILEGES IN SCHEMA public, hangfire GRANT SELECT ON SEQUENCES TO {{ReadOnlyRole}};
            END IF;
        END
        $grants$;
        """;
}
