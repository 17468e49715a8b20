using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Healthcare.Core.Fhir;
using Healthcare.Core.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;

namespace Healthcare.Api.Features.Fhir;

/// <summary>
/// An export's status URL and files (HL7 Bulk Data Access IG v2), for its requester only (anyone else gets 404, as for
/// an export that does not exist): <c>GET</c> the status (202 with <c>Retry-After</c> and <c>X-Progress</c> while it
/// runs, the manifest once complete, an OperationOutcome if it failed), <c>DELETE</c> it (cancelled, files deleted),
/// and <c>GET</c> each file as <c>application/fhir+ndjson</c> until the export expires (410 after).
/// </summary>
public static class BulkExportFiles
{
    public const string NdjsonMediaType = "application/fhir+ndjson";

    // JSON's own escaping only: the manifest's URLs and instants stay readable.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task<IResult> Status(string id, HttpContext http, HealthcareDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var export = Guid.TryParse(id, out var exportId)
            ? await db.BulkExports.AsNoTracking().OwnedBy(http)
                .SingleOrDefaultAsync(e => e.Id == exportId && e.Status != BulkExportStatus.Cancelled, cancellationToken)
            : null;
        if (export is null)
        {
            return NotFound();
        }

        if (clock.GetUtcNow() >= export.ExpiresAt)
        {
            return Expired();
        }

        switch (export.Status)
        {
            case BulkExportStatus.Failed:
                return FhirResponses.Outcome(StatusCodes.Status500InternalServerError, "The export failed; request a new one.");
            case BulkExportStatus.Completed:
                var files = await db.BulkExportFiles.AsNoTracking().Where(f => f.ExportId == export.Id)
                    .Select(f => new ManifestFile(f.Id, f.Type, f.Sequence, f.Count)).ToListAsync(cancellationToken);
                http.Response.Headers.Expires = HeaderUtilities.FormatDate(export.ExpiresAt);
                return Results.Bytes(Manifest(http, export, files), "application/json");
            default:
                http.Response.Headers.RetryAfter = BulkExportApi.PollSeconds.ToString(CultureInfo.InvariantCulture);
                http.Response.Headers["X-Progress"] = export.Status == BulkExportStatus.Pending
                    ? "queued"
                    : $"{export.ResourceCount.ToString(CultureInfo.InvariantCulture)} resources written";
                return Results.StatusCode(StatusCodes.Status202Accepted);
        }
    }

    /// <summary>Cancels the export: the worker stops at its next batch, and its files are deleted now.</summary>
    public static async Task<IResult> Cancel(string id, HttpContext http, HealthcareDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var cancelled = Guid.TryParse(id, out var exportId)
            ? await db.BulkExports.OwnedBy(http).Where(e => e.Id == exportId && e.Status != BulkExportStatus.Cancelled && e.ExpiresAt > now)
                .ExecuteUpdateAsync(e => e.SetProperty(x => x.Status, BulkExportStatus.Cancelled), cancellationToken)
            : 0;
        if (cancelled == 0)
        {
            return NotFound();
        }

        await db.BulkExportFiles.Where(f => f.ExportId == exportId).ExecuteDeleteAsync(cancellationToken);
        return Results.StatusCode(StatusCodes.Status202Accepted);
    }

    /// <summary>
    /// One file, decrypted, while the export lasts and while the requester still reaches what it holds (the type's
    /// permission and scopes in the clinics it covers); audited with the export's clinic.
    /// </summary>
    public static async Task<IResult> Download(
        string id, HttpContext http, FhirAccess access, HealthcareDbContext db, FieldEncryption encryption, Auditor audit, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var found = Guid.TryParse(id, out var fileId)
            ? await db.BulkExportFiles.AsNoTracking().Where(f => f.Id == fileId)
                .Join(db.BulkExports.OwnedBy(http).Where(e => e.Status == BulkExportStatus.Completed), f => f.ExportId, e => e.Id, (f, e) => new { f.Type, Export = e })
                .SingleOrDefaultAsync(cancellationToken)
            : null;
        if (found is null)
        {
            return NotFound();
        }

        var export = found.Export;
        audit.ResourceId = fileId.ToString();
        audit.ClinicId = export.GroupId ?? BulkExport.SingleClinic(export.PartList());
        if (clock.GetUtcNow() >= export.ExpiresAt)
        {
            return Expired();
        }

        var reach = await access.ReachAsync(found.Type, 's', BulkExportTypes.PermissionOf(found.Type), cancellationToken);
        if (reach.IsScopeMissing)
        {
            return Reach.ScopeRefusal(found.Type, 's');
        }

        var part = export.PartList().SingleOrDefault(p => p.Type == found.Type);
        if (part is null || !(part.Clinics is { } clinics ? clinics.All(reach.ReachesClinic) : reach.AllClinics))
        {
            return FhirResponses.Outcome(StatusCodes.Status403Forbidden, "The caller no longer reaches the data this file holds.");
        }

        if (audit.ClinicId is { } clinicId)
        {
            audit.Role = reach.RoleIn(clinicId);
        }

        var content = await db.BulkExportFiles.AsNoTracking().Where(f => f.Id == fileId).Select(f => f.ContentEncrypted).SingleAsync(cancellationToken);
        return Results.Bytes(encryption.DecryptBytes(content), NdjsonMediaType);
    }

    private sealed record ManifestFile(Guid Id, string Type, int Sequence, int Count);

    /// <summary>The completion manifest, with the IG's field names; the files in the order of the types, then by number.</summary>
    private static byte[] Manifest(HttpContext http, BulkExport export, List<ManifestFile> files)
    {
        var baseUrl = FhirSearch.BaseUrl(http);
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("transactionTime", export.TransactionTime!.Value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("request", baseUrl + export.Request);
            json.WriteBoolean("requiresAccessToken", true);
            json.WriteStartArray("output");
            foreach (var file in files.OrderBy(f => BulkExportTypes.OrderOf(f.Type)).ThenBy(f => f.Sequence))
            {
                json.WriteStartObject();
                json.WriteString("type", file.Type);
                json.WriteString("url", $"{baseUrl}{BulkExportApi.FilePath}/{file.Id}");
                json.WriteNumber("count", file.Count);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("error");
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static IResult NotFound() => FhirResponses.Outcome(StatusCodes.Status404NotFound, "No export with this id is within the caller's reach.");

    private static IResult Expired() => FhirResponses.Outcome(
        StatusCodes.Status410Gone, $"The export has expired (exports are kept {BulkExport.Retention.TotalHours:0} hours); request a new one.");
}
