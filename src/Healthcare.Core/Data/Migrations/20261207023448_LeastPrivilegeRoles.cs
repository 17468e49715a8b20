using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Healthcare.Core.Data.Migrations
{
    /// <summary>
    /// The runtime role owns no table, so creating and dropping the stored log's day partitions happens in the owner's
    /// name: both functions run as their owner, with a fixed search path, and only the roles granted EXECUTE may call
    /// them (see DatabaseSchema). Dropping is limited to days before today.
    /// </summary>
    public partial class LeastPrivilegeRoles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION log_events_drop_partitions(older_than date) RETURNS integer
                LANGUAGE plpgsql AS $$
                DECLARE
                    dropped integer := 0;
                    part record;
                BEGIN
                    IF older_than > (now() AT TIME ZONE 'UTC')::date THEN
                        RAISE EXCEPTION 'log partitions of today or later are never dropped';
                    END IF;
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
            migrationBuilder.Sql("""
                ALTER FUNCTION log_events_create_partitions(date, integer) SECURITY DEFINER SET search_path = public, pg_temp;
                ALTER FUNCTION log_events_drop_partitions(date) SECURITY DEFINER SET search_path = public, pg_temp;
                REVOKE EXECUTE ON FUNCTION log_events_create_partitions(date, integer), log_events_drop_partitions(date) FROM PUBLIC;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                GRANT EXECUTE ON FUNCTION log_events_create_partitions(date, integer), log_events_drop_partitions(date) TO PUBLIC;
                ALTER FUNCTION log_events_create_partitions(date, integer) SECURITY INVOKER RESET search_path;
                ALTER FUNCTION log_events_drop_partitions(date) SECURITY INVOKER RESET search_path;
                """);
        }
    }
}
