using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Healthcare.Core.Data.Migrations
{
    /// <summary>
    /// The stored log behind /logger: log_events, range-partitioned by day (UTC) on logged_at, outside the EF model
    /// (written with COPY, read with SQL). Partitions are made by functions that writers and the daily clean-up call;
    /// the clean-up drops whole days past LOG_RETENTION_DAYS.
    /// </summary>
    public partial class LogEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Trigram indexes make "text contains" searches fast; pg_trgm is a trusted extension (PostgreSQL 13+).
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS pg_trgm;");
            migrationBuilder.Sql("""
                CREATE TABLE log_events (
                    id uuid NOT NULL,
                    logged_at timestamptz NOT NULL,
                    level smallint NOT NULL CHECK (level BETWEEN 0 AND 5),
                    message text NOT NULL,
                    message_template text NOT NULL,
                    exception_type text,
                    exception text,
                    request_id text,
                    trace_id text,
                    span_id text,
                    instance text NOT NULL,
                    source text,
                    application text NOT NULL,
                    properties jsonb NOT NULL,
                    CONSTRAINT pk_log_events PRIMARY KEY (logged_at, id)
                ) PARTITION BY RANGE (logged_at);
                """);
            // Newest first by (logged_at, id) is the primary key read backwards. The level filters are "this level and
            // up": warnings and errors are rare, so partial indexes keep those pages from walking every information event.
            migrationBuilder.Sql("CREATE INDEX ix_log_events_warnings ON log_events (logged_at, id) WHERE level >= 3;");
            migrationBuilder.Sql("CREATE INDEX ix_log_events_errors ON log_events (logged_at, id) WHERE level >= 4;");
            migrationBuilder.Sql("CREATE INDEX ix_log_events_request_id ON log_events (request_id) WHERE request_id IS NOT NULL;");
            migrationBuilder.Sql("CREATE INDEX ix_log_events_trace_id ON log_events (trace_id) WHERE trace_id IS NOT NULL;");
            migrationBuilder.Sql("CREATE INDEX ix_log_events_instance ON log_events (instance, logged_at, id);");
            migrationBuilder.Sql("CREATE INDEX ix_log_events_source ON log_events (source, logged_at, id);");
            migrationBuilder.Sql("CREATE INDEX ix_log_events_message ON log_events USING gin (message gin_trgm_ops);");

            // Serialized by an advisory lock: API and worker instances may ask for the same day at the same moment.
            migrationBuilder.Sql("""
                CREATE FUNCTION log_events_create_partitions(first_day date, days integer) RETURNS integer
                LANGUAGE plpgsql AS $$
                DECLARE
                    created integer := 0;
                    day date;
                    part_name text;
                BEGIN
                    PERFORM pg_advisory_xact_lock(hashtext('log_events_partitions'));
                    FOR i IN 0 .. days - 1 LOOP
                        day := first_day + i;
                        part_name := 'log_events_p' || to_char(day, 'YYYYMMDD');
                        IF to_regclass(quote_ident(part_name)) IS NULL THEN
                            EXECUTE format('CREATE TABLE %I PARTITION OF log_events FOR VALUES FROM (%L) TO (%L)',
                                part_name, day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
                            created := created + 1;
                        END IF;
                    END LOOP;
                    RETURN created;
                END
                $$;
                """);
            // Dropping a partition briefly locks the whole table; the lock timeout keeps a busy moment from queueing
            // every writer behind it (the next day's clean-up tries again).
            migrationBuilder.Sql("""
                CREATE FUNCTION log_events_drop_partitions(older_than date) RETURNS integer
                LANGUAGE plpgsql AS $$
                DECLARE
                    dropped integer := 0;
                    part record;
                BEGIN
                    PERFORM set_config('lock_timeout', '5s', true);
                    PERFORM pg_advisory_xact_lock(hashtext('log_events_partitions'));
                    FOR part IN
                        SELECT c.relname
                        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                        WHERE i.inhparent = 'log_events'::regclass
                          AND c.relname ~ '^log_events_p[0-9]{8}$'
                          AND to_date(substring(c.relname FROM 13), 'YYYYMMDD') < older_than
                        ORDER BY c.relname
                    LOOP
                        EXECUTE format('DROP TABLE %I', part.relname);
                        dropped := dropped + 1;
                    END LOOP;
                    RETURN dropped;
                END
                $$;
                """);
            migrationBuilder.Sql("SELECT log_events_create_partitions((now() AT TIME ZONE 'UTC')::date, 3);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS log_events_drop_partitions(date);");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS log_events_create_partitions(date, integer);");
            migrationBuilder.Sql("DROP TABLE IF EXISTS log_events;");
        }
    }
}
