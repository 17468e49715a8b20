using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Healthcare.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class BulkExport : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_vital_signs_clinic_id",
                table: "vital_signs");

            migrationBuilder.DropIndex(
                name: "ix_problem_list_items_clinic_id",
                table: "problem_list_items");

            migrationBuilder.DropIndex(
                name: "ix_medications_clinic_id",
                table: "medications");

            migrationBuilder.DropIndex(
                name: "ix_encounters_clinic_id",
                table: "encounters");

            migrationBuilder.DropIndex(
                name: "ix_clinical_notes_clinic_id",
                table: "clinical_notes");

            migrationBuilder.DropIndex(
                name: "ix_allergies_clinic_id",
                table: "allergies");

            migrationBuilder.CreateTable(
                name: "bulk_exports",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    group_id = table.Column<Guid>(type: "uuid", nullable: true),
                    requester_subject = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    requester_client_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    request = table.Column<string>(type: "text", nullable: false),
                    since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    parts = table.Column<string>(type: "jsonb", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    resource_count = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    transaction_time = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_bulk_exports", x => x.id);
                    table.CheckConstraint("ck_bulk_exports_status", "status IN ('pending', 'running', 'completed', 'failed', 'cancelled')");
                    table.ForeignKey(
                        name: "fk_bulk_exports_clinics_group_id",
                        column: x => x.group_id,
                        principalTable: "clinics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "bulk_export_files",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    export_id = table.Column<Guid>(type: "uuid", nullable: false),
                    type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    sequence = table.Column<int>(type: "integer", nullable: false),
                    count = table.Column<int>(type: "integer", nullable: false),
                    content_encrypted = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_bulk_export_files", x => x.id);
                    table.CheckConstraint("ck_bulk_export_files_count", "count > 0");
                    table.CheckConstraint("ck_bulk_export_files_encrypted", "content_encrypted LIKE 'v1.%'");
                    table.ForeignKey(
                        name: "fk_bulk_export_files_bulk_exports_export_id",
                        column: x => x.export_id,
                        principalTable: "bulk_exports",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_vital_signs_clinic_id_id",
                table: "vital_signs",
                columns: new[] { "clinic_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_problem_list_items_clinic_id_id",
                table: "problem_list_items",
                columns: new[] { "clinic_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_patients_clinic_id_id",
                table: "patients",
                columns: new[] { "clinic_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_medications_clinic_id_id",
                table: "medications",
                columns: new[] { "clinic_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_encounters_clinic_id_id",
                table: "encounters",
                columns: new[] { "clinic_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_clinical_notes_clinic_id_id",
                table: "clinical_notes",
                columns: new[] { "clinic_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_appointments_clinic_id_id",
                table: "appointments",
                columns: new[] { "clinic_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_allergies_clinic_id_id",
                table: "allergies",
                columns: new[] { "clinic_id", "id" });

            migrationBuilder.CreateIndex(
                name: "ix_bulk_export_files_export_id_type_sequence",
                table: "bulk_export_files",
                columns: new[] { "export_id", "type", "sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_bulk_exports_expires_at",
                table: "bulk_exports",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_bulk_exports_group_id",
                table: "bulk_exports",
                column: "group_id");

            migrationBuilder.CreateIndex(
                name: "ix_bulk_exports_unfinished",
                table: "bulk_exports",
                columns: new[] { "requester_subject", "requester_client_id" },
                unique: true,
                filter: "status IN ('pending', 'running')")
                .Annotation("Npgsql:NullsDistinct", false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "bulk_export_files");

            migrationBuilder.DropTable(
                name: "bulk_exports");

            migrationBuilder.DropIndex(
                name: "ix_vital_signs_clinic_id_id",
                table: "vital_signs");

            migrationBuilder.DropIndex(
                name: "ix_problem_list_items_clinic_id_id",
                table: "problem_list_items");

            migrationBuilder.DropIndex(
                name: "ix_patients_clinic_id_id",
                table: "patients");

            migrationBuilder.DropIndex(
                name: "ix_medications_clinic_id_id",
                table: "medications");

            migrationBuilder.DropIndex(
                name: "ix_encounters_clinic_id_id",
                table: "encounters");

            migrationBuilder.DropIndex(
                name: "ix_clinical_notes_clinic_id_id",
                table: "clinical_notes");

            migrationBuilder.DropIndex(
                name: "ix_appointments_clinic_id_id",
                table: "appointments");

            migrationBuilder.DropIndex(
                name: "ix_allergies_clinic_id_id",
                table: "allergies");

            migrationBuilder.CreateIndex(
                name: "ix_vital_signs_clinic_id",
                table: "vital_signs",
                column: "clinic_id");

            migrationBuilder.CreateIndex(
                name: "ix_problem_list_items_clinic_id",
                table: "problem_list_items",
                column: "clinic_id");

            migrationBuilder.CreateIndex(
                name: "ix_medications_clinic_id",
                table: "medications",
                column: "clinic_id");

            migrationBuilder.CreateIndex(
                name: "ix_encounters_clinic_id",
                table: "encounters",
                column: "clinic_id");

            migrationBuilder.CreateIndex(
                name: "ix_clinical_notes_clinic_id",
                table: "clinical_notes",
                column: "clinic_id");

            migrationBuilder.CreateIndex(
                name: "ix_allergies_clinic_id",
                table: "allergies",
                column: "clinic_id");
        }
    }
}
