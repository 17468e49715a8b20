using System.Buffers;
using System.Linq.Expressions;
using System.Text.Encodings.Web;
using System.Text.Json;
using Healthcare.Core.Data;
using Healthcare.Core.Records;
using Healthcare.Core.Security;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.EntityFrameworkCore;
using Encounter = Healthcare.Core.Records.Encounter;
using Medication = Healthcare.Core.Records.Medication;
using Task = System.Threading.Tasks.Task;

namespace Healthcare.Core.Fhir;

/// <summary>
/// Writes a bulk export's NDJSON files, type after type in <see cref="BulkExportTypes.All"/>'s order: the rows of
/// each clinic the export covers, read <see cref="BatchSize"/> at a time in id order (keyset paging on the
/// <c>(clinic_id, id)</c> indexes, so a clinic of any size is never held in memory), mapped as the FHIR API maps
/// them, and stored encrypted in files of at most <see cref="MaxResourcesPerFile"/> resources. Between batches it
/// records its progress and stops, deleting what it wrote, once the export is no longer running (cancelled).
/// </summary>
public sealed class BulkExportBuilder
{
    public const int MaxResourcesPerFile = 10_000;
    public const int BatchSize = 1_000;

    // JSON's own escaping only, as in the FHIR API's answers: instants keep their '+'.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly HealthcareDbContext _db;
    private readonly FieldEncryption _encryption;
    private readonly TimeProvider _clock;
    private readonly BulkExport _export;
    private readonly ArrayBufferWriter<byte> _file = new();
    private int _fileCount;
    private int _sequence;
    private int _written;

    private BulkExportBuilder(HealthcareDbContext db, FieldEncryption encryption, TimeProvider clock, BulkExport export)
    {
        _db = db;
        _encryption = encryption;
        _clock = clock;
        _export = export;
    }

    /// <summary>
    /// Builds the export; does nothing unless it is pending, or running (a retry after a failure, which starts over).
    /// </summary>
    public static async Task BuildAsync(HealthcareDbContext db, FieldEncryption encryption, TimeProvider clock, Guid exportId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var export = await db.BulkExports.AsNoTracking().SingleOrDefaultAsync(e => e.Id == exportId, cancellationToken);
        if (export is null || !BulkExportStatus.Unfinished.Contains(export.Status) || now >= export.ExpiresAt)
        {
            return;
        }

        await db.BulkExportFiles.Where(f => f.ExportId == exportId).ExecuteDeleteAsync(cancellationToken);
        var claimed = await db.BulkExports.Where(e => e.Id == exportId && BulkExportStatus.Unfinished.Contains(e.Status))
            .ExecuteUpdateAsync(
                e => e.SetProperty(x => x.Status, BulkExportStatus.Running).SetProperty(x => x.TransactionTime, now).SetProperty(x => x.ResourceCount, 0),
                cancellationToken);
        if (claimed == 0)
        {
            return;
        }

        var builder = new BulkExportBuilder(db, encryption, clock, export);
        foreach (var part in export.PartList())
        {
            if (!await builder.WriteTypeAsync(part, cancellationToken))
            {
                return;
            }
        }

        var completed = clock.GetUtcNow();
        var finished = await db.BulkExports.Where(e => e.Id == exportId && e.Status == BulkExportStatus.Running)
            .ExecuteUpdateAsync(
                e => e.SetProperty(x => x.Status, BulkExportStatus.Completed).SetProperty(x => x.CompletedAt, completed)
                    .SetProperty(x => x.ExpiresAt, completed + BulkExport.Retention).SetProperty(x => x.ResourceCount, builder._written),
                cancellationToken);
        if (finished == 0)
        {
            await builder.DiscardAsync(cancellationToken);
        }
    }

    /// <summary>Writes one type's files; false when the export stopped running meanwhile.</summary>
    private Task<bool> WriteTypeAsync(BulkExportPart part, CancellationToken cancellationToken)
    {
        var since = _export.Since ?? DateTimeOffset.MinValue;
        return part.Type switch
        {
            "Patient" => WriteAsync(part, _db.Patients, c => p => p.ClinicId == c, p => p.UpdatedAt > since || p.CreatedAt > since, p => p.ToFhir(), cancellationToken),
            "Appointment" => WriteAsync(part, _db.Appointments, c => a => a.ClinicId == c, a => a.UpdatedAt > since, a => a.ToFhir(), cancellationToken),
            "Encounter" => WriteAsync(part, _db.Encounters, c => e => e.ClinicId == c, e => e.UpdatedAt > since, e => e.ToFhir(), cancellationToken),
            "Observation" => WriteAsync(part, _db.VitalSigns, c => v => v.ClinicId == c, v => v.CreatedAt > since, v => v.ToFhir(), cancellationToken),
            "AllergyIntolerance" => WriteAsync(part, _db.Allergies, c => a => a.ClinicId == c, a => a.UpdatedAt > since, a => a.ToFhir(), cancellationToken),
            "Condition" => WriteAsync(part, _db.ProblemListItems, c => p => p.ClinicId == c, p => p.UpdatedAt > since, p => p.ToFhir(), cancellationToken),
            "MedicationStatement" => WriteAsync(part, _db.Medications, c => m => m.ClinicId == c, m => m.UpdatedAt > since, m => m.ToFhir(), cancellationToken),
            "DocumentReference" => WriteAsync(
                part, _db.ClinicalNotes.Include(n => n.Amendments).AsSplitQuery(), c => n => n.ClinicId == c,
                n => n.UpdatedAt > since || n.Amendments.Any(a => a.CreatedAt > since), n => n.ToFhir(_encryption), cancellationToken),
            "Organization" => WriteAsync(part, _db.Clinics, c => o => o.Id == c, o => o.CreatedAt > since, o => o.ToFhir(), cancellationToken),
            "Location" => WriteAsync(part, _db.Locations, c => l => l.ClinicId == c, l => l.CreatedAt > since, l => l.ToFhir(), cancellationToken),
            "Practitioner" => WriteAsync(part, _db.Practitioners, c => p => p.ClinicId == c, p => p.CreatedAt > since, p => p.ToFhir(), cancellationToken),
            _ => throw new InvalidOperationException($"Bulk export of {part.Type} is not supported."),
        };
    }

    /// <summary>
    /// Writes the rows of <paramref name="part"/>'s clinics (every row when it names none) changed since the export's
    /// <c>_since</c>, in id order, a batch at a time.
    /// </summary>
    private async Task<bool> WriteAsync<T>(
        BulkExportPart part, IQueryable<T> rows, Func<Guid, Expression<Func<T, bool>>> inClinic, Expression<Func<T, bool>> changed,
        Func<T, Resource> toFhir, CancellationToken cancellationToken)
        where T : class
    {
        _sequence = 0;
        rows = rows.AsNoTracking();
        if (_export.Since is not null)
        {
            rows = rows.Where(changed);
        }

        IEnumerable<IQueryable<T>> scopes = part.Clinics is { } clinics ? clinics.Select(c => rows.Where(inClinic(c))) : [rows];
        foreach (var scope in scopes)
        {
            var after = Guid.Empty;
            while (true)
            {
                var position = after;
                var batch = await scope.Where(r => EF.Property<Guid>(r, "Id").CompareTo(position) > 0)
                    .OrderBy(r => EF.Property<Guid>(r, "Id")).Take(BatchSize).ToListAsync(cancellationToken);
                foreach (var row in batch)
                {
                    // Every resource's id is its row's: the last one is where the next batch starts.
                    var resource = toFhir(row);
                    after = Guid.Parse(resource.Id!);
                    Append(resource);
                    if (_fileCount == MaxResourcesPerFile)
                    {
                        await SaveFileAsync(part.Type, cancellationToken);
                    }
                }

                if (!await StillRunningAsync(cancellationToken))
                {
                    await DiscardAsync(cancellationToken);
                    return false;
                }

                if (batch.Count < BatchSize)
                {
                    break;
                }
            }
        }

        if (_fileCount > 0)
        {
            await SaveFileAsync(part.Type, cancellationToken);
        }

        return true;
    }

    private void Append(Resource resource)
    {
        using (var writer = new Utf8JsonWriter(_file, WriterOptions))
        {
            FhirJsonSerializer.Default.Serialize(resource, writer);
        }

        _file.Write("\n"u8);
        _fileCount++;
        _written++;
    }

    private async Task SaveFileAsync(string type, CancellationToken cancellationToken)
    {
        _db.BulkExportFiles.Add(new BulkExportFile
        {
            ExportId = _export.Id,
            Type = type,
            Sequence = ++_sequence,
            Count = _fileCount,
            ContentEncrypted = _encryption.EncryptBytes(_file.WrittenSpan),
            CreatedAt = _clock.GetUtcNow(),
        });
        await _db.SaveChangesAsync(cancellationToken);
        _db.ChangeTracker.Clear();
        _file.ResetWrittenCount();
        _fileCount = 0;
    }

    // The progress, written only while the export runs: a cancelled export answers no.
    private async Task<bool> StillRunningAsync(CancellationToken cancellationToken) =>
        await _db.BulkExports.Where(e => e.Id == _export.Id && e.Status == BulkExportStatus.Running)
            .ExecuteUpdateAsync(e => e.SetProperty(x => x.ResourceCount, _written), cancellationToken) == 1;

    private Task<int> DiscardAsync(CancellationToken cancellationToken) =>
        _db.BulkExportFiles.Where(f => f.ExportId == _export.Id).ExecuteDeleteAsync(cancellationToken);
}
