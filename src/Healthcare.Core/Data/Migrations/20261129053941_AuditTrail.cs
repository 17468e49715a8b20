using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Healthcare.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class AuditTrail : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "audit_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false),
                    chain_id = table.Column<Guid>(type: "uuid", nullable: false),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    user_role = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: true),
                    action = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    resource_type = table.Column<string>(type: "character varying(60)", maxLength: 60, nullable: false),
                    resource_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    patient_id = table.Column<Guid>(type: "uuid", nullable: true),
                    outcome = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    ip_address = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    user_agent = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    request_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    previous_hash = table.Column<byte[]>(type: "bytea", nullable: true),
                    hash = table.Column<byte[]>(type: "bytea", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_events", x => x.id);
                    table.CheckConstraint("ck_audit_events_outcome", "outcome IN ('success', 'denied', 'failure')");
                });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_chain_id_id",
                table: "audit_events",
                columns: new[] { "chain_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_clinic_id_occurred_at",
                table: "audit_events",
                columns: new[] { "clinic_id", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_patient_id_occurred_at",
                table: "audit_events",
                columns: new[] { "patient_id", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_user_id_occurred_at",
                table: "audit_events",
                columns: new[] { "user_id", "occurred_at" });

            // Chain order, assigned by the insert trigger after it holds the chain's lock.
            migrationBuilder.Sql("CREATE SEQUENCE audit_events_id_seq AS bigint OWNED BY audit_events.id;");

            // The canonical content that a row's hash covers: a JSON array, so that no two different rows
            // share an encoding.
            migrationBuilder.Sql("""
                CREATE FUNCTION audit_events_canonical(e audit_events) RETURNS text
                LANGUAGE sql STABLE AS $$
                    SELECT jsonb_build_array(
                        e.id, e.chain_id, to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                        e.user_id, e.user_role, e.clinic_id, e.action, e.resource_type, e.resource_id, e.patient_id,
                        e.outcome, e.ip_address, e.user_agent, e.request_id, e.reason)::text
                $$;
                """);

            // One chain per clinic (and one for platform events). The advisory lock serializes writers of a
            // chain until they commit, so the chain never forks; ids are drawn under the lock, so id order is
            // chain order.
            migrationBuilder.Sql("""
                CREATE FUNCTION audit_events_chain() RETURNS trigger
                LANGUAGE plpgsql AS $$
                DECLARE
                    previous bytea;
                BEGIN
                    PERFORM pg_advisory_xact_lock(hashtextextended('audit_events:' || NEW.chain_id::text, 0));
                    NEW.id := nextval('audit_events_id_seq');
                    SELECT hash INTO previous FROM audit_events WHERE chain_id = NEW.chain_id ORDER BY id DESC LIMIT 1;
                    NEW.previous_hash := previous;
                    NEW.hash := sha256(convert_to(audit_events_canonical(NEW), 'UTF8') || coalesce(previous, ''::bytea));
                    RETURN NEW;
                END
                $$;
                """);
            migrationBuilder.Sql("CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_chain();");

            migrationBuilder.Sql("""
                CREATE FUNCTION audit_events_append_only() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
                END
                $$;
                """);
            migrationBuilder.Sql("CREATE TRIGGER audit_events_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();");
            migrationBuilder.Sql("CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();");

            // The first row, in id order, whose content does not match its hash or whose link does not match
            // the hash of the row before it in its chain.
            migrationBuilder.Sql("""
                CREATE FUNCTION audit_events_verify() RETURNS TABLE (broken_id bigint, chain_id uuid, problem text)
                LANGUAGE sql STABLE AS $$
                    SELECT x.id, x.chain_id,
                           CASE WHEN x.hash IS DISTINCT FROM x.expected_hash THEN 'content does not match its hash'
                                ELSE 'link to the previous event is broken' END
                    FROM (
                        SELECT e.id, e.chain_id, e.hash, e.previous_hash,
                               lag(e.hash) OVER (PARTITION BY e.chain_id ORDER BY e.id) AS expected_previous,
                               sha256(convert_to(audit_events_canonical(e), 'UTF8') || coalesce(e.previous_hash, ''::bytea)) AS expected_hash
                        FROM audit_events e
                    ) x
                    WHERE x.hash IS DISTINCT FROM x.expected_hash OR x.previous_hash IS DISTINCT FROM x.expected_previous
                    ORDER BY x.id
                    LIMIT 1
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS audit_events_verify();");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_events_chain ON audit_events;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_events_no_update_or_delete ON audit_events;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events;");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS audit_events_chain();");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS audit_events_append_only();");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS audit_events_canonical(audit_events);");
            migrationBuilder.DropTable(
                name: "audit_events");
        }
    }
}
