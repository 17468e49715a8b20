using System.Globalization;
using System.Text;
using Healthcare.Core.Data;
using Healthcare.Core.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Scheduling;

/// <summary>
/// A clinic admin's request for a CSV of appointments over clinic-local dates. The worker builds the file; it is
/// stored encrypted (it names patients) and downloadable through a link whose token is stored only hashed and
/// which expires a day after the file is ready.
/// </summary>
public sealed class AppointmentExport
{
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(24);
    public const int MaxDays = 366;

    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid ClinicId { get; init; }

    public Guid RequestedByUserId { get; init; }

    public DateOnly FromDate { get; init; }

    public DateOnly ToDate { get; init; }

    public string Status { get; set; } = ExportStatus.Pending;

    public int? RowCount { get; set; }

    /// <summary>The CSV, encrypted with the field-encryption keys.</summary>
    public string? ContentEncrypted { get; set; }

    public required byte[] DownloadTokenHash { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Builds the CSV for the export's clinic and dates and marks it ready; does nothing if already built.</summary>
    public static async Task BuildAsync(HealthcareDbContext db, FieldEncryption encryption, Guid exportId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var export = await db.AppointmentExports.SingleOrDefaultAsync(e => e.Id == exportId, cancellationToken);
        if (export is null || export.Status != ExportStatus.Pending)
        {
            return;
        }

        var clinic = await db.Clinics.AsNoTracking().SingleAsync(c => c.Id == export.ClinicId, cancellationToken);
        var zone = ClinicTime.Zone(clinic.TimeZone);
        var from = ClinicTime.StartOfDay(NodaTime.LocalDate.FromDateOnly(export.FromDate), zone).ToDateTimeOffset();
        var to = ClinicTime.StartOfDay(NodaTime.LocalDate.FromDateOnly(export.ToDate).PlusDays(1), zone).ToDateTimeOffset();
        var rows = await db.Appointments.AsNoTracking()
            .Where(a => a.ClinicId == export.ClinicId && a.StartsAt >= from && a.StartsAt < to)
            .OrderBy(a => a.StartsAt).ThenBy(a => a.Id)
            .Join(db.Patients, a => a.PatientId, p => p.Id, (a, p) => new { a, p.GivenName, p.FamilyName, p.DateOfBirth })
            .Join(db.Practitioners, x => x.a.PractitionerId, pr => pr.Id, (x, pr) => new { x.a, x.GivenName, x.FamilyName, x.DateOfBirth, Practitioner = pr.DisplayName })
            .Join(db.AppointmentTypes, x => x.a.AppointmentTypeId, t => t.Id, (x, t) => new { x.a, x.GivenName, x.FamilyName, x.DateOfBirth, x.Practitioner, Type = t.Name })
            .ToListAsync(cancellationToken);
        var csv = new StringBuilder("appointment_id,starts_at,ends_at,status,mode,type,practitioner,patient_id,patient_family_name,patient_given_name,patient_date_of_birth\r\n");
        foreach (var r in rows)
        {
            csv.AppendJoin(',',
                r.a.Id.ToString(),
                ClinicTime.Local(r.a.StartsAt, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
                ClinicTime.Local(r.a.EndsAt, zone).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
                r.a.Status, r.a.Mode, Field(r.Type), Field(r.Practitioner), r.a.PatientId.ToString(), Field(r.FamilyName), Field(r.GivenName),
                r.DateOfBirth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            csv.Append("\r\n");
        }

        export.ContentEncrypted = encryption.Encrypt(csv.ToString());
        export.RowCount = rows.Count;
        export.Status = ExportStatus.Ready;
        export.CompletedAt = now;
        export.ExpiresAt = now + LinkLifetime;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>RFC 4180 quoting, and a leading quote for text a spreadsheet would run as a formula.</summary>
    private static string Field(string value)
    {
        var safe = value.Length > 0 && "=+-@\t\r".Contains(value[0], StringComparison.Ordinal) ? "'" + value : value;
        return safe.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{safe.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : safe;
    }
}

public static class ExportStatus
{
    public const string Pending = "pending";
    public const string Ready = "ready";
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Pending, Ready, Failed];
}

internal sealed class AppointmentExportConfiguration : IEntityTypeConfiguration<AppointmentExport>
{
    public void Configure(EntityTypeBuilder<AppointmentExport> builder)
    {
        builder.ToTable("appointment_exports", t =>
        {
            t.HasCheckConstraint("ck_appointment_exports_status", "status IN ('pending', 'ready', 'failed')");
            t.HasCheckConstraint("ck_appointment_exports_dates", "from_date <= to_date");
            t.HasCheckConstraint("ck_appointment_exports_encrypted", "content_encrypted IS NULL OR content_encrypted LIKE 'v1.%'");
        });
        builder.Property(e => e.Status).HasMaxLength(16);
        builder.HasOne<Clinics.Clinic>().WithMany().HasForeignKey(e => e.ClinicId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Identity.User>().WithMany().HasForeignKey(e => e.RequestedByUserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => e.DownloadTokenHash).IsUnique();
        builder.HasIndex(e => new { e.ClinicId, e.CreatedAt });
    }
}
