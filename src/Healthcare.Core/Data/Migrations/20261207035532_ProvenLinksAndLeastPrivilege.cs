using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Healthcare.Core.Data.Migrations
{
    /// <summary>
    /// Confirmed e-mail addresses and patient links accepted by the patient (ADR 43): existing staff accounts count
    /// as confirmed, self-registered ones do not; records linked directly by staff are unlinked and remembered as
    /// former links. Who disabled an account (ADR 44). Least privilege (ADR 42): the runtime role owns no table, so
    /// the stored log's day partitions are created and dropped by functions that run as their owner, callable only
    /// by the roles granted EXECUTE; dropping is limited to days before today.
    /// </summary>
    public partial class ProvenLinksAndLeastPrivilege : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "disabled_by",
                table: "users",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "email_verified_at",
                table: "users",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "contact_changed_by",
                table: "patients",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "email_verifications",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    token_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    used_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_email_verifications", x => x.id);
                    table.ForeignKey(
                        name: "fk_email_verifications_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "patient_link_offers",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    patient_id = table.Column<Guid>(type: "uuid", nullable: false),
                    token_hash = table.Column<byte[]>(type: "bytea", nullable: true),
                    channel = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    offered_by = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    accepted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    accepted_by = table.Column<Guid>(type: "uuid", nullable: true),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    former_user_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_patient_link_offers", x => x.id);
                    table.CheckConstraint("ck_patient_link_offers_channel", "channel IN ('email', 'sms', 'legacy')");
                    table.CheckConstraint("ck_patient_link_offers_token", "(token_hash IS NULL) = (channel = 'legacy')");
                    table.ForeignKey(
                        name: "fk_patient_link_offers_clinics_clinic_id",
                        column: x => x.clinic_id,
                        principalTable: "clinics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_patient_link_offers_patients_patient_id",
                        column: x => x.patient_id,
                        principalTable: "patients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_email_verifications_token_hash",
                table: "email_verifications",
                column: "token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_email_verifications_user_id",
                table: "email_verifications",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_patient_link_offers_clinic_id",
                table: "patient_link_offers",
                column: "clinic_id");

            migrationBuilder.CreateIndex(
                name: "ix_patient_link_offers_patient_id_created_at",
                table: "patient_link_offers",
                columns: new[] { "patient_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_patient_link_offers_token_hash",
                table: "patient_link_offers",
                column: "token_hash",
                unique: true);

            // Accounts that proved their address before it was checked: staff and platform administrators (their
            // invitations went to the address). Self-registered accounts confirm theirs at the next sign-in.
            migrationBuilder.Sql("""
                UPDATE users u SET email_verified_at = u.created_at
                WHERE u.is_super_admin
                   OR EXISTS (SELECT FROM clinic_memberships m WHERE m.user_id = u.id AND m.role <> 'patient')
                   OR EXISTS (SELECT FROM invitations i WHERE i.email = u.email AND i.accepted_at IS NOT NULL);
                """);

            // Links that staff made directly are not the patient's proven choice: they are kept on record as former
            // links and undone, until the patient accepts an offer.
            migrationBuilder.Sql("""
                INSERT INTO patient_link_offers (id, clinic_id, patient_id, token_hash, channel, offered_by, created_at, expires_at, revoked_at, former_user_id)
                SELECT gen_random_uuid(), p.clinic_id, p.id, NULL, 'legacy', NULL, now(), now(), now(), p.user_id
                FROM patients p WHERE p.user_id IS NOT NULL;
                UPDATE patients SET user_id = NULL WHERE user_id IS NOT NULL;
                """);

            // The runtime role owns no table: the stored log's day partitions are made and dropped in the owner's name.
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

            migrationBuilder.Sql("""
                UPDATE patients p SET user_id = o.former_user_id
                FROM patient_link_offers o WHERE o.patient_id = p.id AND o.channel = 'legacy' AND p.user_id IS NULL;
                """);

            migrationBuilder.DropTable(
                name: "email_verifications");

            migrationBuilder.DropTable(
                name: "patient_link_offers");

            migrationBuilder.DropColumn(
                name: "disabled_by",
                table: "users");

            migrationBuilder.DropColumn(
                name: "email_verified_at",
                table: "users");

            migrationBuilder.DropColumn(
                name: "contact_changed_by",
                table: "patients");
        }
    }
}
