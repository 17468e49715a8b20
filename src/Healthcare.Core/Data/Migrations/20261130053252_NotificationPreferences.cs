using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Healthcare.Core.Data.Migrations
{
    /// <inheritdoc />
    public partial class NotificationPreferences : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "notification_channel",
                table: "users",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "email");

            migrationBuilder.AddColumn<bool>(
                name: "reminders_opt_out",
                table: "users",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddCheckConstraint(
                name: "ck_users_notification_channel",
                table: "users",
                sql: "notification_channel IN ('email', 'sms')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_users_notification_channel",
                table: "users");

            migrationBuilder.DropColumn(
                name: "notification_channel",
                table: "users");

            migrationBuilder.DropColumn(
                name: "reminders_opt_out",
                table: "users");
        }
    }
}
