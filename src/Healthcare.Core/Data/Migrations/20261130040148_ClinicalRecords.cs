using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Healthcare.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class ClinicalRecords : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
                name: "ix_note_amendments_author_user_id",
                table: "note_amendments",
                column: "author_user_id");

            migrationBuilder.CreateIndex(
                name: "ix_note_amendments_note_id_id",
                table: "note_amendments",
                columns: new[] { "note_id", "id" });

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
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "allergies");

            migrationBuilder.DropTable(
                name: "medications");

            migrationBuilder.DropTable(
                name: "note_amendments");

            migrationBuilder.DropTable(
                name: "problem_list_items");

            migrationBuilder.DropTable(
                name: "vital_signs");

            migrationBuilder.DropTable(
                name: "clinical_notes");

            migrationBuilder.DropTable(
                name: "encounters");

            migrationBuilder.Sql("DROP FUNCTION IF EXISTS clinical_notes_signed_immutable();");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS note_amendments_append_only();");
        }
    }
}
