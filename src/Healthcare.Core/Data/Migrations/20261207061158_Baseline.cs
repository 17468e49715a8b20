using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Healthcare.Core.Data.Migrations
{
    /// <summary>
    /// The schema at the first release (ADR 46): the model's tables, then what the model cannot express: the audit
    /// trail's hash chain and append-only triggers (ADR 9), the exclusion constraints against double booking, the
    /// immutability of signed notes, the outbox notification, and the stored log, partitioned by day outside the
    /// model, with its partition functions running as the owner (ADR 42).
    /// </summary>
    public partial class Baseline : Migration
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

            migrationBuilder.CreateTable(
                name: "clinics",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    time_zone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    phone = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    // Defaults outside the model: the columns were added to tables that had rows, and raw inserts may omit them.
                    require_staff_mfa = table.Column<bool>(type: "boolean", nullable: false, defaultValue: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false),
                    address = table.Column<string>(type: "jsonb", nullable: true),
                    opening_hours = table.Column<string>(type: "jsonb", nullable: true),
                    policy = table.Column<string>(type: "jsonb", nullable: false, defaultValue: """{"CancellationWindowHours":24,"NoShowGraceMinutes":15,"ReminderOffsetsMinutes":[1440,120],"WaitlistHoldMinutes":120}""")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_clinics", x => x.id);
                    table.CheckConstraint("ck_clinics_name_not_blank", "length(btrim(name)) > 0");
                });

            migrationBuilder.CreateTable(
                name: "data_protection_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    friendly_name = table.Column<string>(type: "text", nullable: true),
                    xml = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_data_protection_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "idempotency_keys",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    key = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    method = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    route = table.Column<string>(type: "text", nullable: false),
                    path = table.Column<string>(type: "text", nullable: false),
                    request_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    state = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    response_status = table.Column<int>(type: "integer", nullable: true),
                    response_content_type = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    response_location = table.Column<string>(type: "text", nullable: true),
                    response_etag = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    response_body = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_idempotency_keys", x => x.id);
                    table.CheckConstraint("ck_idempotency_keys_completed_status", "state = 'pending' OR response_status IS NOT NULL");
                    table.CheckConstraint("ck_idempotency_keys_request_hash_length", "octet_length(request_hash) = 32");
                    table.CheckConstraint("ck_idempotency_keys_state", "state IN ('pending', 'completed')");
                });

            migrationBuilder.CreateTable(
                name: "notifications",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    dedupe_key = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    channel = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    recipient = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    template = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    language = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: false),
                    subject = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    body = table.Column<string>(type: "text", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: true),
                    patient_id = table.Column<Guid>(type: "uuid", nullable: true),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    last_error = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    sent_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notifications", x => x.id);
                    table.CheckConstraint("ck_notifications_channel", "channel IN ('email', 'sms')");
                    table.CheckConstraint("ck_notifications_status", "status IN ('pending', 'sent', 'failed')");
                });

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    payload = table.Column<string>(type: "jsonb", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    processed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    trace_parent = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_messages", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    display_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    password_hash = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: false),
                    email_verified_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    is_super_admin = table.Column<bool>(type: "boolean", nullable: false),
                    is_disabled = table.Column<bool>(type: "boolean", nullable: false),
                    disabled_by = table.Column<Guid>(type: "uuid", nullable: true),
                    security_stamp = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    mfa_secret = table.Column<byte[]>(type: "bytea", nullable: true),
                    mfa_pending_secret = table.Column<byte[]>(type: "bytea", nullable: true),
                    // Defaults outside the model: the columns were added to tables that had rows, and raw inserts may omit them.
                    mfa_last_step = table.Column<long>(type: "bigint", nullable: false, defaultValue: 0L),
                    notification_channel = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false, defaultValue: "email"),
                    reminders_opt_out = table.Column<bool>(type: "boolean", nullable: false, defaultValue: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_users", x => x.id);
                    table.CheckConstraint("ck_users_email_normalized", "email = lower(btrim(email)) AND position('@' in email) > 1");
                    table.CheckConstraint("ck_users_notification_channel", "notification_channel IN ('email', 'sms')");
                });

            migrationBuilder.CreateTable(
                name: "appointment_types",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    mode = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    duration_minutes = table.Column<int>(type: "integer", nullable: false),
                    buffer_minutes = table.Column<int>(type: "integer", nullable: false),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_appointment_types", x => x.id);
                    table.CheckConstraint("ck_appointment_types_buffer", "buffer_minutes BETWEEN 0 AND 120");
                    table.CheckConstraint("ck_appointment_types_duration", "duration_minutes BETWEEN 5 AND 480");
                    table.CheckConstraint("ck_appointment_types_mode", "mode IN ('in_person', 'video', 'home_visit')");
                    table.ForeignKey(
                        name: "fk_appointment_types_clinics_clinic_id",
                        column: x => x.clinic_id,
                        principalTable: "clinics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "invitations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    role = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    token_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    invited_by = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    accepted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_invitations", x => x.id);
                    table.CheckConstraint("ck_invitations_staff_role", "role IN ('clinic_admin', 'doctor', 'nurse', 'receptionist')");
                    table.ForeignKey(
                        name: "fk_invitations_clinics_clinic_id",
                        column: x => x.clinic_id,
                        principalTable: "clinics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "locations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    phone = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false),
                    address = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_locations", x => x.id);
                    table.ForeignKey(
                        name: "fk_locations_clinics_clinic_id",
                        column: x => x.clinic_id,
                        principalTable: "clinics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "appointment_exports",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    requested_by_user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    from_date = table.Column<DateOnly>(type: "date", nullable: false),
                    to_date = table.Column<DateOnly>(type: "date", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    row_count = table.Column<int>(type: "integer", nullable: true),
                    content_encrypted = table.Column<string>(type: "text", nullable: true),
                    download_token_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_appointment_exports", x => x.id);
                    table.CheckConstraint("ck_appointment_exports_dates", "from_date <= to_date");
                    table.CheckConstraint("ck_appointment_exports_encrypted", "content_encrypted IS NULL OR content_encrypted LIKE 'v1.%'");
                    table.CheckConstraint("ck_appointment_exports_status", "status IN ('pending', 'ready', 'failed')");
                    table.ForeignKey(
                        name: "fk_appointment_exports_clinics_clinic_id",
                        column: x => x.clinic_id,
                        principalTable: "clinics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_appointment_exports_users_requested_by_user_id",
                        column: x => x.requested_by_user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "clinic_memberships",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    role = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_clinic_memberships", x => x.id);
                    table.CheckConstraint("ck_clinic_memberships_role", "role IN ('clinic_admin', 'doctor', 'nurse', 'receptionist', 'patient')");
                    table.ForeignKey(
                        name: "fk_clinic_memberships_clinics_clinic_id",
                        column: x => x.clinic_id,
                        principalTable: "clinics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_clinic_memberships_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

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
                name: "mfa_recovery_codes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    code_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    used_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_mfa_recovery_codes", x => x.id);
                    table.ForeignKey(
                        name: "fk_mfa_recovery_codes_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "password_resets",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    token_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    used_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_password_resets", x => x.id);
                    table.ForeignKey(
                        name: "fk_password_resets_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "patients",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    contact_changed_by = table.Column<Guid>(type: "uuid", nullable: true),
                    given_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    family_name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    search_name = table.Column<string>(type: "character varying(201)", maxLength: 201, nullable: false),
                    date_of_birth = table.Column<DateOnly>(type: "date", nullable: false),
                    sex = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    gender = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true),
                    phone = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: true),
                    preferred_language = table.Column<string>(type: "character varying(35)", maxLength: 35, nullable: true),
                    insurer_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    national_id_encrypted = table.Column<string>(type: "text", nullable: true),
                    national_id_index = table.Column<byte[]>(type: "bytea", nullable: true),
                    national_id_last4 = table.Column<string>(type: "character varying(4)", maxLength: 4, nullable: true),
                    insurance_member_id_encrypted = table.Column<string>(type: "text", nullable: true),
                    insurance_member_id_index = table.Column<byte[]>(type: "bytea", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false),
                    address = table.Column<string>(type: "jsonb", nullable: true),
                    emergency_contacts = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_patients", x => x.id);
                    table.CheckConstraint("ck_patients_encrypted_national_id", "national_id_encrypted IS NULL OR national_id_encrypted LIKE 'v1.%'");
                    table.CheckConstraint("ck_patients_sex", "sex IN ('female', 'male', 'intersex', 'unknown')");
                    table.ForeignKey(
                        name: "fk_patients_clinics_clinic_id",
                        column: x => x.clinic_id,
                        principalTable: "clinics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_patients_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "practitioners",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    display_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    title = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    specialties = table.Column<List<string>>(type: "text[]", nullable: false),
                    licence_number = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    bio = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    location_ids = table.Column<List<Guid>>(type: "uuid[]", nullable: false),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_practitioners", x => x.id);
                    table.ForeignKey(
                        name: "fk_practitioners_clinics_clinic_id",
                        column: x => x.clinic_id,
                        principalTable: "clinics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_practitioners_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "sessions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    last_used_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    idle_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    absolute_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    revoked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    revoked_reason = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: true),
                    ip_address = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    user_agent = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sessions", x => x.id);
                    table.ForeignKey(
                        name: "fk_sessions_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "allergies",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    patient_id = table.Column<Guid>(type: "uuid", nullable: false),
                    substance = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    reaction = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    severity = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    onset_date = table.Column<DateOnly>(type: "date", nullable: true),
                    recorded_by_user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_allergies", x => x.id);
                    table.CheckConstraint("ck_allergies_severity", "severity IN ('mild', 'moderate', 'severe', 'life_threatening')");
                    table.CheckConstraint("ck_allergies_status", "status IN ('active', 'inactive', 'resolved', 'entered_in_error')");
                    table.CheckConstraint("ck_allergies_substance", "length(btrim(substance)) > 0");
                    table.ForeignKey(
                        name: "fk_allergies_clinics_clinic_id",
                        column: x => x.clinic_id,
                        principalTable: "clinics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_allergies_patients_patient_id",
                        column: x => x.patient_id,
                        principalTable: "patients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_allergies_users_recorded_by_user_id",
                        column: x => x.recorded_by_user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "emergency_access_grants",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    patient_id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    granted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_emergency_access_grants", x => x.id);
                    table.CheckConstraint("ck_emergency_access_reason", "length(btrim(reason)) >= 10");
                    table.ForeignKey(
                        name: "fk_emergency_access_grants_patients_patient_id",
                        column: x => x.patient_id,
                        principalTable: "patients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_emergency_access_grants_users_user_id",
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

            migrationBuilder.CreateTable(
                name: "problem_list_items",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    patient_id = table.Column<Guid>(type: "uuid", nullable: false),
                    condition = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    icd10_code = table.Column<string>(type: "character varying(8)", maxLength: 8, nullable: true),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    onset_date = table.Column<DateOnly>(type: "date", nullable: true),
                    resolved_date = table.Column<DateOnly>(type: "date", nullable: true),
                    recorded_by_user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_problem_list_items", x => x.id);
                    table.CheckConstraint("ck_problem_list_items_condition", "length(btrim(condition)) > 0");
                    table.CheckConstraint("ck_problem_list_items_icd10", "icd10_code IS NULL OR icd10_code ~ '^[A-Z][0-9][0-9A-Z](\\.[0-9A-Z]{1,4})?$'");
                    table.CheckConstraint("ck_problem_list_items_resolved", "resolved_date IS NULL OR (status = 'resolved' AND (onset_date IS NULL OR resolved_date >= onset_date))");
                    table.CheckConstraint("ck_problem_list_items_status", "status IN ('active', 'resolved', 'entered_in_error')");
                    table.ForeignKey(
                        name: "fk_problem_list_items_clinics_clinic_id",
                        column: x => x.clinic_id,
                        principalTable: "clinics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_problem_list_items_patients_patient_id",
                        column: x => x.patient_id,
                        principalTable: "patients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_problem_list_items_users_recorded_by_user_id",
                        column: x => x.recorded_by_user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "appointment_series",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    patient_id = table.Column<Guid>(type: "uuid", nullable: false),
                    practitioner_id = table.Column<Guid>(type: "uuid", nullable: false),
                    appointment_type_id = table.Column<Guid>(type: "uuid", nullable: false),
                    interval_weeks = table.Column<int>(type: "integer", nullable: false),
                    occurrences = table.Column<int>(type: "integer", nullable: false),
                    first_starts_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_by_user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_appointment_series", x => x.id);
                    table.CheckConstraint("ck_appointment_series_interval", "interval_weeks BETWEEN 1 AND 12");
                    table.CheckConstraint("ck_appointment_series_occurrences", "occurrences BETWEEN 2 AND 52");
                    table.ForeignKey(
                        name: "fk_appointment_series_patients_patient_id",
                        column: x => x.patient_id,
                        principalTable: "patients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_appointment_series_practitioners_practitioner_id",
                        column: x => x.practitioner_id,
                        principalTable: "practitioners",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "time_off",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    practitioner_id = table.Column<Guid>(type: "uuid", nullable: false),
                    starts_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ends_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    reason = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_time_off", x => x.id);
                    table.CheckConstraint("ck_time_off_range", "starts_at < ends_at");
                    table.ForeignKey(
                        name: "fk_time_off_practitioners_practitioner_id",
                        column: x => x.practitioner_id,
                        principalTable: "practitioners",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "working_hours",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    practitioner_id = table.Column<Guid>(type: "uuid", nullable: false),
                    location_id = table.Column<Guid>(type: "uuid", nullable: false),
                    day = table.Column<int>(type: "integer", nullable: false),
                    starts = table.Column<TimeOnly>(type: "time without time zone", nullable: false),
                    ends = table.Column<TimeOnly>(type: "time without time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_working_hours", x => x.id);
                    table.CheckConstraint("ck_working_hours_range", "starts < ends");
                    table.ForeignKey(
                        name: "fk_working_hours_locations_location_id",
                        column: x => x.location_id,
                        principalTable: "locations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_working_hours_practitioners_practitioner_id",
                        column: x => x.practitioner_id,
                        principalTable: "practitioners",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "refresh_tokens",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    session_id = table.Column<Guid>(type: "uuid", nullable: false),
                    token_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    used_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_refresh_tokens", x => x.id);
                    table.CheckConstraint("ck_refresh_tokens_hash_length", "octet_length(token_hash) = 32");
                    table.ForeignKey(
                        name: "fk_refresh_tokens_sessions_session_id",
                        column: x => x.session_id,
                        principalTable: "sessions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "appointments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    practitioner_id = table.Column<Guid>(type: "uuid", nullable: false),
                    patient_id = table.Column<Guid>(type: "uuid", nullable: false),
                    appointment_type_id = table.Column<Guid>(type: "uuid", nullable: false),
                    location_id = table.Column<Guid>(type: "uuid", nullable: true),
                    mode = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    starts_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ends_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    blocked_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    series_id = table.Column<Guid>(type: "uuid", nullable: true),
                    hold_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    booked_by_user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    checked_in_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    cancelled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    cancelled_by_user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    cancellation_reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_appointments", x => x.id);
                    table.CheckConstraint("ck_appointments_hold", "(status = 'held') = (hold_expires_at IS NOT NULL)");
                    table.CheckConstraint("ck_appointments_status", "status IN ('held', 'booked', 'checked_in', 'in_progress', 'completed', 'cancelled', 'no_show', 'expired')");
                    table.CheckConstraint("ck_appointments_times", "starts_at < ends_at AND ends_at <= blocked_until");
                    table.ForeignKey(
                        name: "fk_appointments_appointment_series_series_id",
                        column: x => x.series_id,
                        principalTable: "appointment_series",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_appointments_appointment_types_appointment_type_id",
                        column: x => x.appointment_type_id,
                        principalTable: "appointment_types",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_appointments_clinics_clinic_id",
                        column: x => x.clinic_id,
                        principalTable: "clinics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_appointments_locations_location_id",
                        column: x => x.location_id,
                        principalTable: "locations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_appointments_patients_patient_id",
                        column: x => x.patient_id,
                        principalTable: "patients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_appointments_practitioners_practitioner_id",
                        column: x => x.practitioner_id,
                        principalTable: "practitioners",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "appointment_reminders",
                columns: table => new
                {
                    appointment_id = table.Column<Guid>(type: "uuid", nullable: false),
                    offset_minutes = table.Column<int>(type: "integer", nullable: false),
                    starts_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_appointment_reminders", x => new { x.appointment_id, x.offset_minutes, x.starts_at });
                    table.ForeignKey(
                        name: "fk_appointment_reminders_appointments_appointment_id",
                        column: x => x.appointment_id,
                        principalTable: "appointments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "encounters",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    patient_id = table.Column<Guid>(type: "uuid", nullable: false),
                    appointment_id = table.Column<Guid>(type: "uuid", nullable: true),
                    clinician_user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ended_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_encounters", x => x.id);
                    table.CheckConstraint("ck_encounters_ended", "(status = 'in_progress') = (ended_at IS NULL)");
                    table.CheckConstraint("ck_encounters_status", "status IN ('in_progress', 'finished', 'cancelled')");
                    table.CheckConstraint("ck_encounters_times", "ended_at IS NULL OR ended_at >= started_at");
                    table.ForeignKey(
                        name: "fk_encounters_appointments_appointment_id",
                        column: x => x.appointment_id,
                        principalTable: "appointments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_encounters_clinics_clinic_id",
                        column: x => x.clinic_id,
                        principalTable: "clinics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_encounters_patients_patient_id",
                        column: x => x.patient_id,
                        principalTable: "patients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_encounters_users_clinician_user_id",
                        column: x => x.clinician_user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "waitlist_entries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    patient_id = table.Column<Guid>(type: "uuid", nullable: false),
                    practitioner_id = table.Column<Guid>(type: "uuid", nullable: false),
                    appointment_type_id = table.Column<Guid>(type: "uuid", nullable: false),
                    from_date = table.Column<DateOnly>(type: "date", nullable: false),
                    to_date = table.Column<DateOnly>(type: "date", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    offered_appointment_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_waitlist_entries", x => x.id);
                    table.CheckConstraint("ck_waitlist_entries_dates", "from_date <= to_date");
                    table.CheckConstraint("ck_waitlist_entries_status", "status IN ('waiting', 'offered', 'booked', 'cancelled')");
                    table.ForeignKey(
                        name: "fk_waitlist_entries_appointment_types_appointment_type_id",
                        column: x => x.appointment_type_id,
                        principalTable: "appointment_types",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_waitlist_entries_appointments_offered_appointment_id",
                        column: x => x.offered_appointment_id,
                        principalTable: "appointments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_waitlist_entries_patients_patient_id",
                        column: x => x.patient_id,
                        principalTable: "patients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_waitlist_entries_practitioners_practitioner_id",
                        column: x => x.practitioner_id,
                        principalTable: "practitioners",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "clinical_notes",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    patient_id = table.Column<Guid>(type: "uuid", nullable: false),
                    encounter_id = table.Column<Guid>(type: "uuid", nullable: true),
                    author_user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    body_encrypted = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    signed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    released = table.Column<bool>(type: "boolean", nullable: false),
                    released_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    released_by_user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_clinical_notes", x => x.id);
                    table.CheckConstraint("ck_clinical_notes_body_encrypted", "body_encrypted LIKE 'v1.%'");
                    table.CheckConstraint("ck_clinical_notes_kind", "kind IN ('progress', 'history_and_physical', 'consultation', 'procedure', 'discharge', 'telephone', 'other')");
                    table.CheckConstraint("ck_clinical_notes_released", "released = (released_at IS NOT NULL) AND released = (released_by_user_id IS NOT NULL)");
                    table.ForeignKey(
                        name: "fk_clinical_notes_clinics_clinic_id",
                        column: x => x.clinic_id,
                        principalTable: "clinics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_clinical_notes_encounters_encounter_id",
                        column: x => x.encounter_id,
                        principalTable: "encounters",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_clinical_notes_patients_patient_id",
                        column: x => x.patient_id,
                        principalTable: "patients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_clinical_notes_users_author_user_id",
                        column: x => x.author_user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_clinical_notes_users_released_by_user_id",
                        column: x => x.released_by_user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "medications",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    patient_id = table.Column<Guid>(type: "uuid", nullable: false),
                    encounter_id = table.Column<Guid>(type: "uuid", nullable: true),
                    drug = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    dose = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    route = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    frequency = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    instructions = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    start_date = table.Column<DateOnly>(type: "date", nullable: false),
                    end_date = table.Column<DateOnly>(type: "date", nullable: true),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    prescriber_user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_medications", x => x.id);
                    table.CheckConstraint("ck_medications_dates", "end_date IS NULL OR end_date >= start_date");
                    table.CheckConstraint("ck_medications_route", "route IN ('oral', 'sublingual', 'buccal', 'topical', 'transdermal', 'inhaled', 'nasal', 'ophthalmic', 'otic', 'rectal', 'vaginal', 'subcutaneous', 'intramuscular', 'intravenous', 'other')");
                    table.CheckConstraint("ck_medications_status", "status IN ('active', 'completed', 'stopped', 'entered_in_error')");
                    table.CheckConstraint("ck_medications_text", "length(btrim(drug)) > 0 AND length(btrim(dose)) > 0 AND length(btrim(frequency)) > 0");
                    table.ForeignKey(
                        name: "fk_medications_clinics_clinic_id",
                        column: x => x.clinic_id,
                        principalTable: "clinics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_medications_encounters_encounter_id",
                        column: x => x.encounter_id,
                        principalTable: "encounters",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_medications_patients_patient_id",
                        column: x => x.patient_id,
                        principalTable: "patients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_medications_users_prescriber_user_id",
                        column: x => x.prescriber_user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "vital_signs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    patient_id = table.Column<Guid>(type: "uuid", nullable: false),
                    encounter_id = table.Column<Guid>(type: "uuid", nullable: true),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    value = table.Column<decimal>(type: "numeric(6,2)", precision: 6, scale: 2, nullable: false),
                    secondary_value = table.Column<decimal>(type: "numeric(6,2)", precision: 6, scale: 2, nullable: true),
                    unit = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    measured_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    recorded_by_user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_vital_signs", x => x.id);
                    table.CheckConstraint("ck_vital_signs_kind_unit_range", "(kind = 'blood_pressure' AND unit = 'mm[Hg]' AND value BETWEEN 40 AND 300 AND secondary_value BETWEEN 20 AND 200 AND secondary_value < value) OR (kind = 'heart_rate' AND unit = '/min' AND value BETWEEN 20 AND 300 AND secondary_value IS NULL) OR (kind = 'temperature' AND unit = 'Cel' AND value BETWEEN 25 AND 45 AND secondary_value IS NULL) OR (kind = 'spo2' AND unit = '%' AND value BETWEEN 50 AND 100 AND secondary_value IS NULL) OR (kind = 'weight' AND unit = 'kg' AND value BETWEEN 0.2 AND 650 AND secondary_value IS NULL) OR (kind = 'height' AND unit = 'cm' AND value BETWEEN 20 AND 280 AND secondary_value IS NULL)");
                    table.ForeignKey(
                        name: "fk_vital_signs_clinics_clinic_id",
                        column: x => x.clinic_id,
                        principalTable: "clinics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_vital_signs_encounters_encounter_id",
                        column: x => x.encounter_id,
                        principalTable: "encounters",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_vital_signs_patients_patient_id",
                        column: x => x.patient_id,
                        principalTable: "patients",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_vital_signs_users_recorded_by_user_id",
                        column: x => x.recorded_by_user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "note_amendments",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    note_id = table.Column<Guid>(type: "uuid", nullable: false),
                    author_user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    body_encrypted = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_note_amendments", x => x.id);
                    table.CheckConstraint("ck_note_amendments_body_encrypted", "body_encrypted LIKE 'v1.%'");
                    table.ForeignKey(
                        name: "fk_note_amendments_clinical_notes_note_id",
                        column: x => x.note_id,
                        principalTable: "clinical_notes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_note_amendments_users_author_user_id",
                        column: x => x.author_user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_allergies_clinic_id",
                table: "allergies",
                column: "clinic_id");

            migrationBuilder.CreateIndex(
                name: "ix_allergies_patient_id_id",
                table: "allergies",
                columns: new[] { "patient_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_allergies_recorded_by_user_id",
                table: "allergies",
                column: "recorded_by_user_id");

            migrationBuilder.CreateIndex(
                name: "ix_appointment_exports_clinic_id_created_at",
                table: "appointment_exports",
                columns: new[] { "clinic_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_appointment_exports_download_token_hash",
                table: "appointment_exports",
                column: "download_token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_appointment_exports_requested_by_user_id",
                table: "appointment_exports",
                column: "requested_by_user_id");

            migrationBuilder.CreateIndex(
                name: "ix_appointment_series_patient_id",
                table: "appointment_series",
                column: "patient_id");

            migrationBuilder.CreateIndex(
                name: "ix_appointment_series_practitioner_id",
                table: "appointment_series",
                column: "practitioner_id");

            migrationBuilder.CreateIndex(
                name: "ix_appointment_types_clinic_id_name",
                table: "appointment_types",
                columns: new[] { "clinic_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_appointments_active_now",
                table: "appointments",
                column: "clinic_id",
                filter: "status IN ('checked_in', 'in_progress')");

            migrationBuilder.CreateIndex(
                name: "ix_appointments_appointment_type_id",
                table: "appointments",
                column: "appointment_type_id");

            migrationBuilder.CreateIndex(
                name: "ix_appointments_clinic_id_starts_at",
                table: "appointments",
                columns: new[] { "clinic_id", "starts_at" });

            migrationBuilder.CreateIndex(
                name: "ix_appointments_held",
                table: "appointments",
                columns: new[] { "hold_expires_at", "practitioner_id" },
                filter: "status = 'held'");

            migrationBuilder.CreateIndex(
                name: "ix_appointments_location_id",
                table: "appointments",
                column: "location_id");

            migrationBuilder.CreateIndex(
                name: "ix_appointments_patient_id_starts_at",
                table: "appointments",
                columns: new[] { "patient_id", "starts_at" });

            migrationBuilder.CreateIndex(
                name: "ix_appointments_practitioner_id_starts_at",
                table: "appointments",
                columns: new[] { "practitioner_id", "starts_at" });

            migrationBuilder.CreateIndex(
                name: "ix_appointments_series_id",
                table: "appointments",
                column: "series_id",
                filter: "series_id IS NOT NULL");

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

            migrationBuilder.CreateIndex(
                name: "ix_clinic_memberships_clinic_id_user_id",
                table: "clinic_memberships",
                columns: new[] { "clinic_id", "user_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_clinic_memberships_user_id",
                table: "clinic_memberships",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_clinical_notes_author_user_id",
                table: "clinical_notes",
                column: "author_user_id");

            migrationBuilder.CreateIndex(
                name: "ix_clinical_notes_clinic_id",
                table: "clinical_notes",
                column: "clinic_id");

            migrationBuilder.CreateIndex(
                name: "ix_clinical_notes_encounter_id",
                table: "clinical_notes",
                column: "encounter_id");

            migrationBuilder.CreateIndex(
                name: "ix_clinical_notes_patient_id_id",
                table: "clinical_notes",
                columns: new[] { "patient_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_clinical_notes_released_by_user_id",
                table: "clinical_notes",
                column: "released_by_user_id");

            migrationBuilder.CreateIndex(
                name: "ix_clinics_name",
                table: "clinics",
                column: "name",
                unique: true);

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
                name: "ix_emergency_access_grants_patient_id",
                table: "emergency_access_grants",
                column: "patient_id");

            migrationBuilder.CreateIndex(
                name: "ix_emergency_access_grants_user_id_patient_id_expires_at",
                table: "emergency_access_grants",
                columns: new[] { "user_id", "patient_id", "expires_at" });

            migrationBuilder.CreateIndex(
                name: "ix_encounters_appointment_id",
                table: "encounters",
                column: "appointment_id",
                unique: true,
                filter: "appointment_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_encounters_clinic_id",
                table: "encounters",
                column: "clinic_id");

            migrationBuilder.CreateIndex(
                name: "ix_encounters_clinician_user_id",
                table: "encounters",
                column: "clinician_user_id");

            migrationBuilder.CreateIndex(
                name: "ix_encounters_patient_id_id",
                table: "encounters",
                columns: new[] { "patient_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_idempotency_keys_expires_at",
                table: "idempotency_keys",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_idempotency_keys_user_id_key",
                table: "idempotency_keys",
                columns: new[] { "user_id", "key" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);

            migrationBuilder.CreateIndex(
                name: "ix_invitations_clinic_id",
                table: "invitations",
                column: "clinic_id");

            migrationBuilder.CreateIndex(
                name: "ix_invitations_token_hash",
                table: "invitations",
                column: "token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_locations_clinic_id_name",
                table: "locations",
                columns: new[] { "clinic_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_medications_clinic_id",
                table: "medications",
                column: "clinic_id");

            migrationBuilder.CreateIndex(
                name: "ix_medications_encounter_id",
                table: "medications",
                column: "encounter_id");

            migrationBuilder.CreateIndex(
                name: "ix_medications_patient_id_id",
                table: "medications",
                columns: new[] { "patient_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_medications_prescriber_user_id",
                table: "medications",
                column: "prescriber_user_id");

            migrationBuilder.CreateIndex(
                name: "ix_mfa_recovery_codes_user_id_code_hash",
                table: "mfa_recovery_codes",
                columns: new[] { "user_id", "code_hash" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_note_amendments_author_user_id",
                table: "note_amendments",
                column: "author_user_id");

            migrationBuilder.CreateIndex(
                name: "ix_note_amendments_note_id_id",
                table: "note_amendments",
                columns: new[] { "note_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_notifications_dedupe_key",
                table: "notifications",
                column: "dedupe_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_notifications_patient_id",
                table: "notifications",
                column: "patient_id",
                filter: "patient_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_notifications_status_created_at",
                table: "notifications",
                columns: new[] { "status", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_created_at",
                table: "outbox_messages",
                column: "created_at",
                filter: "processed_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_password_resets_token_hash",
                table: "password_resets",
                column: "token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_password_resets_user_id",
                table: "password_resets",
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

            migrationBuilder.CreateIndex(
                name: "ix_patients_clinic_id_insurance_member_id_index",
                table: "patients",
                columns: new[] { "clinic_id", "insurance_member_id_index" });

            migrationBuilder.CreateIndex(
                name: "ix_patients_clinic_id_national_id_index",
                table: "patients",
                columns: new[] { "clinic_id", "national_id_index" });

            migrationBuilder.CreateIndex(
                name: "ix_patients_clinic_id_search_name_date_of_birth",
                table: "patients",
                columns: new[] { "clinic_id", "search_name", "date_of_birth" })
                .Annotation("Npgsql:IndexOperators", new[] { null, "text_pattern_ops", null });

            migrationBuilder.CreateIndex(
                name: "ix_patients_user_id",
                table: "patients",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_practitioners_clinic_id_user_id",
                table: "practitioners",
                columns: new[] { "clinic_id", "user_id" },
                unique: true,
                filter: "user_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_practitioners_specialties",
                table: "practitioners",
                column: "specialties")
                .Annotation("Npgsql:IndexMethod", "gin");

            migrationBuilder.CreateIndex(
                name: "ix_practitioners_user_id",
                table: "practitioners",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_problem_list_items_clinic_id",
                table: "problem_list_items",
                column: "clinic_id");

            migrationBuilder.CreateIndex(
                name: "ix_problem_list_items_patient_id_id",
                table: "problem_list_items",
                columns: new[] { "patient_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_problem_list_items_recorded_by_user_id",
                table: "problem_list_items",
                column: "recorded_by_user_id");

            migrationBuilder.CreateIndex(
                name: "ix_refresh_tokens_session_id",
                table: "refresh_tokens",
                column: "session_id");

            migrationBuilder.CreateIndex(
                name: "ix_refresh_tokens_token_hash",
                table: "refresh_tokens",
                column: "token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sessions_user_id",
                table: "sessions",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_time_off_practitioner_id_starts_at",
                table: "time_off",
                columns: new[] { "practitioner_id", "starts_at" });

            migrationBuilder.CreateIndex(
                name: "ix_users_email",
                table: "users",
                column: "email",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_vital_signs_clinic_id",
                table: "vital_signs",
                column: "clinic_id");

            migrationBuilder.CreateIndex(
                name: "ix_vital_signs_encounter_id",
                table: "vital_signs",
                column: "encounter_id");

            migrationBuilder.CreateIndex(
                name: "ix_vital_signs_patient_id_kind_measured_at",
                table: "vital_signs",
                columns: new[] { "patient_id", "kind", "measured_at" },
                descending: new[] { false, false, true });

            migrationBuilder.CreateIndex(
                name: "ix_vital_signs_patient_id_measured_at_id",
                table: "vital_signs",
                columns: new[] { "patient_id", "measured_at", "id" },
                descending: new[] { false, true, true });

            migrationBuilder.CreateIndex(
                name: "ix_vital_signs_recorded_by_user_id",
                table: "vital_signs",
                column: "recorded_by_user_id");

            migrationBuilder.CreateIndex(
                name: "ix_waitlist_entries_appointment_type_id",
                table: "waitlist_entries",
                column: "appointment_type_id");

            migrationBuilder.CreateIndex(
                name: "ix_waitlist_entries_offered_appointment_id",
                table: "waitlist_entries",
                column: "offered_appointment_id");

            migrationBuilder.CreateIndex(
                name: "ix_waitlist_entries_patient_id",
                table: "waitlist_entries",
                column: "patient_id");

            migrationBuilder.CreateIndex(
                name: "ix_waitlist_entries_practitioner_id_status_created_at",
                table: "waitlist_entries",
                columns: new[] { "practitioner_id", "status", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_working_hours_location_id",
                table: "working_hours",
                column: "location_id");

            migrationBuilder.CreateIndex(
                name: "ix_working_hours_practitioner_id_day",
                table: "working_hours",
                columns: new[] { "practitioner_id", "day" });

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
            // Rows that come with their hash were chained by the audit batch writer under the same lock (AuditChainHash).
            migrationBuilder.Sql("CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events FOR EACH ROW WHEN (NEW.hash IS NULL) EXECUTE FUNCTION audit_events_chain();");

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

            // No double booking, decided by PostgreSQL itself: a practitioner's active appointments (with the
            // buffer after each) never overlap, nor do a patient's. Concurrent bookings of one slot cannot both win.
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS btree_gist;");
            migrationBuilder.Sql("""
                ALTER TABLE appointments ADD CONSTRAINT ex_appointments_practitioner_overlap
                    EXCLUDE USING gist (practitioner_id WITH =, tstzrange(starts_at, blocked_until, '[)') WITH &&)
                    WHERE (status IN ('held', 'booked', 'checked_in', 'in_progress'));
                ALTER TABLE appointments ADD CONSTRAINT ex_appointments_patient_overlap
                    EXCLUDE USING gist (patient_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
                    WHERE (status IN ('held', 'booked', 'checked_in', 'in_progress'));
                """);

            // A signed note is a legal record: the database itself refuses to change or delete it, except to
            // release it to the patient. Amendments are append-only and only ever follow a signed note.
            migrationBuilder.Sql("""
                CREATE FUNCTION clinical_notes_signed_immutable() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    IF OLD.signed_at IS NULL AND TG_OP = 'DELETE' THEN
                        RETURN OLD;
                    END IF;
                    IF OLD.signed_at IS NULL THEN
                        RETURN NEW;
                    END IF;
                    IF TG_OP = 'DELETE' OR
                       (NEW.clinic_id, NEW.patient_id, NEW.encounter_id, NEW.author_user_id, NEW.kind, NEW.body_encrypted, NEW.created_at, NEW.signed_at)
                       IS DISTINCT FROM
                       (OLD.clinic_id, OLD.patient_id, OLD.encounter_id, OLD.author_user_id, OLD.kind, OLD.body_encrypted, OLD.created_at, OLD.signed_at) OR
                       (OLD.released AND (NEW.released, NEW.released_at, NEW.released_by_user_id)
                                         IS DISTINCT FROM (OLD.released, OLD.released_at, OLD.released_by_user_id)) THEN
                        RAISE EXCEPTION 'a signed clinical note is immutable: % is not allowed; append an amendment', TG_OP USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    RETURN NEW;
                END
                $$;
                """);
            migrationBuilder.Sql("CREATE TRIGGER clinical_notes_signed_immutable BEFORE UPDATE OR DELETE ON clinical_notes FOR EACH ROW EXECUTE FUNCTION clinical_notes_signed_immutable();");
            migrationBuilder.Sql("""
                CREATE FUNCTION note_amendments_append_only() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP <> 'INSERT' THEN
                        RAISE EXCEPTION 'note_amendments is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
                    END IF;
                    IF NOT EXISTS (SELECT 1 FROM clinical_notes WHERE id = NEW.note_id AND signed_at IS NOT NULL) THEN
                        RAISE EXCEPTION 'only a signed note takes amendments' USING ERRCODE = 'check_violation';
                    END IF;
                    RETURN NEW;
                END
                $$;
                """);
            migrationBuilder.Sql("CREATE TRIGGER note_amendments_append_only BEFORE INSERT OR UPDATE OR DELETE ON note_amendments FOR EACH ROW EXECUTE FUNCTION note_amendments_append_only();");

            // The worker LISTENs on this channel, so mail goes out moments after the transaction that wrote it commits.
            migrationBuilder.Sql("""
                CREATE FUNCTION outbox_messages_notify() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('outbox_messages', '');
                    RETURN NULL;
                END $$;
                CREATE TRIGGER outbox_messages_notify AFTER INSERT ON outbox_messages
                    FOR EACH STATEMENT EXECUTE FUNCTION outbox_messages_notify();
                """);

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
            // every writer behind it (the next day's clean-up tries again). Dropping is limited to days before today.
            migrationBuilder.Sql("""
                CREATE FUNCTION log_events_drop_partitions(older_than date) RETURNS integer
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
            // The runtime role owns no table: the day partitions are made and dropped in the owner's name, by the roles
            // granted EXECUTE alone (ADR 42).
            migrationBuilder.Sql("""
                ALTER FUNCTION log_events_create_partitions(date, integer) SECURITY DEFINER SET search_path = public, pg_temp;
                ALTER FUNCTION log_events_drop_partitions(date) SECURITY DEFINER SET search_path = public, pg_temp;
                REVOKE EXECUTE ON FUNCTION log_events_create_partitions(date, integer), log_events_drop_partitions(date) FROM PUBLIC;
                """);
            migrationBuilder.Sql("SELECT log_events_create_partitions((now() AT TIME ZONE 'UTC')::date, 3);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TABLE IF EXISTS log_events;");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS log_events_drop_partitions(date);");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS log_events_create_partitions(date, integer);");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS audit_events_verify();");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS audit_events_canonical(audit_events);");

            migrationBuilder.DropTable(
                name: "allergies");

            migrationBuilder.DropTable(
                name: "appointment_exports");

            migrationBuilder.DropTable(
                name: "appointment_reminders");

            migrationBuilder.DropTable(
                name: "audit_events");

            migrationBuilder.DropTable(
                name: "clinic_memberships");

            migrationBuilder.DropTable(
                name: "data_protection_keys");

            migrationBuilder.DropTable(
                name: "email_verifications");

            migrationBuilder.DropTable(
                name: "emergency_access_grants");

            migrationBuilder.DropTable(
                name: "idempotency_keys");

            migrationBuilder.DropTable(
                name: "invitations");

            migrationBuilder.DropTable(
                name: "medications");

            migrationBuilder.DropTable(
                name: "mfa_recovery_codes");

            migrationBuilder.DropTable(
                name: "note_amendments");

            migrationBuilder.DropTable(
                name: "notifications");

            migrationBuilder.DropTable(
                name: "outbox_messages");

            migrationBuilder.DropTable(
                name: "password_resets");

            migrationBuilder.DropTable(
                name: "patient_link_offers");

            migrationBuilder.DropTable(
                name: "problem_list_items");

            migrationBuilder.DropTable(
                name: "refresh_tokens");

            migrationBuilder.DropTable(
                name: "time_off");

            migrationBuilder.DropTable(
                name: "vital_signs");

            migrationBuilder.DropTable(
                name: "waitlist_entries");

            migrationBuilder.DropTable(
                name: "working_hours");

            migrationBuilder.DropTable(
                name: "clinical_notes");

            migrationBuilder.DropTable(
                name: "sessions");

            migrationBuilder.DropTable(
                name: "encounters");

            migrationBuilder.DropTable(
                name: "appointments");

            migrationBuilder.DropTable(
                name: "appointment_series");

            migrationBuilder.DropTable(
                name: "appointment_types");

            migrationBuilder.DropTable(
                name: "locations");

            migrationBuilder.DropTable(
                name: "patients");

            migrationBuilder.DropTable(
                name: "practitioners");

            migrationBuilder.DropTable(
                name: "clinics");

            migrationBuilder.DropTable(
                name: "users");

            migrationBuilder.Sql("DROP FUNCTION IF EXISTS audit_events_chain();");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS audit_events_append_only();");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS clinical_notes_signed_immutable();");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS note_amendments_append_only();");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS outbox_messages_notify();");
        }
    }
}
