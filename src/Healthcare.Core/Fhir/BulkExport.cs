using System.Text.Json;
using Healthcare.Core.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Healthcare.Core.Fhir;

/// <summary>
/// A FHIR Bulk Data export (<c>$export</c>, HL7 Bulk Data Access IG v2): the API records what was asked and what the
/// requester reached at that moment, the worker writes the NDJSON files (<see cref="BulkExportBuilder"/>), and only the
/// same requester (token subject and client) polls, downloads or cancels it. Everything is deleted after
/// <see cref="Retention"/>.
/// </summary>
public sealed class BulkExport
{
    /// <summary>How long an export and its files are kept: from the request until it completes, then from completion.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    public Guid Id { get; init; } = Guid.CreateVersion7();

    /// <summary>The clinic of a Group export (the Group is the clinic's patients); null for <c>Patient/$export</c>.</summary>
    public Guid? GroupId { get; init; }

    /// <summary>The token's <c>sub</c>: a user's id, or a backend service's own client id.</summary>
    public required string RequesterSubject { get; init; }

    /// <summary>The token's <c>client_id</c>, for a third-party app's token; null for the first-party sign-in.</summary>
    public string? RequesterClientId { get; init; }

    /// <summary>The kick-off request below the FHIR base (path and query), given back in the manifest.</summary>
    public required string Request { get; init; }

    /// <summary><c>_since</c>: only resources changed after this instant.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>The types exported and, for each, the clinics the requester reached (JSON of <see cref="BulkExportPart"/>s).</summary>
    public required string Parts { get; init; }

    public string Status { get; set; } = BulkExportStatus.Pending;

    /// <summary>Resources written so far (the progress shown while the export runs).</summary>
    public int ResourceCount { get; set; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the worker began reading: the manifest's <c>transactionTime</c>.</summary>
    public DateTimeOffset? TransactionTime { get; set; }

    public DateTimeOffset? CompletedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public IReadOnlyList<BulkExportPart> PartList() => JsonSerializer.Deserialize<List<BulkExportPart>>(Parts, JsonSerializerOptions.Web) ?? [];

    public static string PartsJson(IEnumerable<BulkExportPart> parts) => JsonSerializer.Serialize(parts, JsonSerializerOptions.Web);

    /// <summary>The clinic every part covers when they cover that one clinic alone (whose audit chain records the export).</summary>
    public static Guid? SingleClinic(IReadOnlyList<BulkExportPart> parts) =>
        parts.All(p => p.Clinics is [_]) && parts.Select(p => p.Clinics![0]).Distinct().ToList() is [var only] ? only : null;

    /// <summary>Deletes the exports past their retention, their files with them.</summary>
    public static Task<int> PurgeExpiredAsync(Data.HealthcareDbContext db, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.BulkExports.Where(e => e.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
}

/// <summary>One exported type and the clinics whose resources of that type the export holds (null: every clinic).</summary>
public sealed record BulkExportPart(string Type, IReadOnlyList<Guid>? Clinics);

/// <summary>One NDJSON file of an export: at most <see cref="BulkExportBuilder.MaxResourcesPerFile"/> resources of one type, encrypted.</summary>
public sealed class BulkExportFile
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid ExportId { get; init; }

    public required string Type { get; init; }

    /// <summary>The file's number within its type, from 1.</summary>
    public int Sequence { get; init; }

    /// <summary>How many resources (lines) the file holds.</summary>
    public int Count { get; init; }

    /// <summary>The NDJSON, encrypted with the field-encryption keys (it is patient data).</summary>
    public required string ContentEncrypted { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

public static class BulkExportStatus
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Pending, Running, Completed, Failed, Cancelled];

    /// <summary>Statuses of an export that is not finished: a requester has at most one.</summary>
    public static readonly IReadOnlyList<string> Unfinished = [Pending, Running];
}

/// <summary>The resource types an export can hold, in the order they are written, and the native permission of each.</summary>
public static class BulkExportTypes
{
    private static readonly string[] Ordered =
    [
        "Patient", "Appointment", "Encounter", "Observation", "AllergyIntolerance", "Condition", "MedicationStatement",
        "DocumentReference", "Organization", "Location", "Practitioner",
    ];

    public static IReadOnlyList<string> All => Ordered;

    /// <summary>A type's place in <see cref="All"/>: the order of the files in a manifest.</summary>
    public static int OrderOf(string type) => Array.IndexOf(Ordered, type);

    /// <summary>The permission that guards a type's data, as on its FHIR reads and searches.</summary>
    public static string PermissionOf(string type) => type switch
    {
        "Patient" => Permissions.PatientsRead,
        "Appointment" => Permissions.AppointmentsRead,
        "Organization" or "Location" or "Practitioner" => Permissions.ClinicRead,
        _ => Permissions.RecordsRead,
    };
}

internal sealed class BulkExportConfiguration : IEntityTypeConfiguration<BulkExport>
{
    public void Configure(EntityTypeBuilder<BulkExport> builder)
    {
        builder.ToTable("bulk_exports", t =>
            t.HasCheckConstraint("ck_bulk_exports_status", "status IN ('pending', 'running', 'completed', 'failed', 'cancelled')"));
        builder.Property(e => e.RequesterSubject).HasMaxLength(200);
        builder.Property(e => e.RequesterClientId).HasMaxLength(200);
        builder.Property(e => e.Parts).HasColumnType("jsonb");
        builder.Property(e => e.Status).HasMaxLength(16);
        builder.HasOne<Clinics.Clinic>().WithMany().HasForeignKey(e => e.GroupId).OnDelete(DeleteBehavior.Cascade);
        // At most one unfinished export per requester; a token without a client id is one requester too.
        builder.HasIndex(e => new { e.RequesterSubject, e.RequesterClientId }).IsUnique().AreNullsDistinct(false)
            .HasFilter("status IN ('pending', 'running')").HasDatabaseName("ix_bulk_exports_unfinished");
        builder.HasIndex(e => e.ExpiresAt);
    }
}

internal sealed class BulkExportFileConfiguration : IEntityTypeConfiguration<BulkExportFile>
{
    public void Configure(EntityTypeBuilder<BulkExportFile> builder)
    {
        builder.ToTable("bulk_export_files", t =>
        {
            t.HasCheckConstraint("ck_bulk_export_files_encrypted", "content_encrypted LIKE 'v1.%'");
            t.HasCheckConstraint("ck_bulk_export_files_count", "count > 0");
        });
        builder.Property(f => f.Type).HasMaxLength(64);
        builder.HasOne<BulkExport>().WithMany().HasForeignKey(f => f.ExportId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(f => new { f.ExportId, f.Type, f.Sequence }).IsUnique();
    }
}
