using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Healthcare.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class Patients : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "patients",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    clinic_id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: true),
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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "patients");
        }
    }
}
