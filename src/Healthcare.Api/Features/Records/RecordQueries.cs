using System.Buffers.Binary;
using System.Buffers.Text;
using System.Linq.Expressions;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Features.Patients;
using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Healthcare.Core.Patients;
using Healthcare.Core.Records;
using Healthcare.Core.Scheduling;
using Healthcare.Core.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Records;

/// <summary>One page of a list: its size and where the previous page ended.</summary>
public readonly record struct PageRequest(int Size, Guid? AfterId, DateTimeOffset? AfterAt);

/// <summary>Reads shared by the clinicians' and the patients' endpoints.</summary>
internal static class RecordQueries
{
    private const int UpcomingAppointments = 20;

    public static Task<ScopedPatient?> FindPatientAsync(HealthcareDbContext db, Expression<Func<Patient, bool>> reach, CancellationToken cancellationToken) =>
        db.Patients.Where(reach)
            .Select(p => new ScopedPatient(p.Id, p.ClinicId, db.Clinics.Where(c => c.Id == p.ClinicId).Select(c => c.TimeZone).First()))
            .SingleOrDefaultAsync(cancellationToken);

    /// <summary>
    /// Reads <c>limit</c> (1 to 100, default 20) and the opaque <c>cursor</c>; any query parameter other than those
    /// and <paramref name="filters"/> is a 400, so a misspelt filter never silently widens a list.
    /// </summary>
    public static ValidationProblem? ReadPage(HttpContext http, IReadOnlyList<string> filters, int? limit, string? cursor, out PageRequest page)
    {
        page = default;
        if (Paging.Check(http, filters.ToHashSet(), limit) is { } invalid)
        {
            return invalid;
        }

        var size = limit ?? Paging.DefaultLimit;
        Guid? afterId = null;
        DateTimeOffset? afterAt = null;
        if (cursor is not null)
        {
            Span<byte> bytes = stackalloc byte[32];
            if (!TryDecodeCursor(cursor, bytes, out var written) ||
                written is not (16 or 24) || (written == 24 && (ulong)BinaryPrimitives.ReadInt64BigEndian(bytes[16..24]) > (ulong)DateTimeOffset.MaxValue.UtcTicks))
            {
                return Problems.Field("cursor", "Use the next value of the previous page.");
            }

            afterId = new Guid(bytes[..16], bigEndian: true);
            if (written == 24)
            {
                afterAt = new DateTimeOffset(BinaryPrimitives.ReadInt64BigEndian(bytes[16..24]), TimeSpan.Zero);
            }
        }

        page = new PageRequest(size, afterId, afterAt);
        return null;
    }

    /// <summary>False for anything that is not a cursor this API wrote; the decoder throws for some of those.</summary>
    private static bool TryDecodeCursor(string cursor, Span<byte> bytes, out int written)
    {
        written = 0;
        try
        {
            return cursor.Length <= 32 && Paging.IsBase64Url(cursor) && Base64Url.TryDecodeFromChars(cursor, bytes, out written);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Newest first (ids are UUIDv7, so id order is creation order).</summary>
    public static async Task<(List<T> Rows, string? Next)> NewestFirstAsync<T>(
        IQueryable<T> query, PageRequest page, HttpContext http, CancellationToken cancellationToken)
        where T : class, IPatientRecord
    {
        if (page.AfterId is { } after)
        {
            query = query.Where(r => r.Id.CompareTo(after) < 0);
        }

        var rows = await query.OrderByDescending(r => r.Id).Take(page.Size + 1).ToListAsync(cancellationToken);
        return rows.Count > page.Size ? (rows.GetRange(0, page.Size), Paging.NextLink(http, Cursor(rows[page.Size - 1].Id, null))) : (rows, null);
    }

    /// <summary>Vital signs, latest measurement first.</summary>
    public static async Task<(List<VitalSign> Rows, string? Next)> LatestMeasuredFirstAsync(
        IQueryable<VitalSign> query, PageRequest page, HttpContext http, CancellationToken cancellationToken)
    {
        if (page is { AfterId: { } id, AfterAt: { } at })
        {
            query = query.Where(v => v.MeasuredAt < at || (v.MeasuredAt == at && v.Id.CompareTo(id) < 0));
        }

        var rows = await query.OrderByDescending(v => v.MeasuredAt).ThenByDescending(v => v.Id).Take(page.Size + 1).ToListAsync(cancellationToken);
        return rows.Count > page.Size
            ? (rows.GetRange(0, page.Size), Paging.NextLink(http, Cursor(rows[page.Size - 1].Id, rows[page.Size - 1].MeasuredAt)))
            : (rows, null);
    }

    public static async Task<IReadOnlyDictionary<Guid, string>> UserNamesAsync(HealthcareDbContext db, IEnumerable<Guid> ids, CancellationToken cancellationToken)
    {
        var wanted = ids.Distinct().ToList();
        return wanted.Count == 0
            ? new Dictionary<Guid, string>()
            : await db.Users.Where(u => wanted.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
    }

    public static async Task<List<NoteDto>> NoteDtosAsync(
        HealthcareDbContext db, FieldEncryption encryption, IReadOnlyCollection<ClinicalNote> notes, CancellationToken cancellationToken)
    {
        var names = await UserNamesAsync(db, notes.Select(n => n.AuthorUserId).Concat(notes.SelectMany(n => n.Amendments).Select(a => a.AuthorUserId)), cancellationToken);
        return notes.Select(n => n.ToDto(encryption, names)).ToList();
    }

    public static async Task<List<MedicationDto>> MedicationDtosAsync(HealthcareDbContext db, IReadOnlyCollection<Medication> medications, CancellationToken cancellationToken)
    {
        var names = await UserNamesAsync(db, medications.Select(m => m.PrescriberUserId), cancellationToken);
        return medications.Select(m => m.ToDto(names)).ToList();
    }

    /// <summary>
    /// Active problems and allergies, medications current today (clinic time), the latest vital sign of each kind
    /// and the next appointments. Nothing entered in error, and no notes.
    /// </summary>
    public static async Task<PatientSummaryDto> SummaryAsync(
        HealthcareDbContext db, ScopedPatient scoped, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (patientId, clinicId, today) = (scoped.Id, scoped.ClinicId, scoped.Today(now));
        var patient = await db.Patients.AsNoTracking().SingleAsync(p => p.Id == patientId, cancellationToken);
        var problems = await db.ProblemListItems.AsNoTracking()
            .Where(p => p.PatientId == patientId && p.ClinicId == clinicId && p.Status == ProblemStatus.Active)
            .OrderByDescending(p => p.Id)
            .ToListAsync(cancellationToken);
        var allergies = await db.Allergies.AsNoTracking()
            .Where(a => a.PatientId == patientId && a.ClinicId == clinicId && a.Status == AllergyStatus.Active)
            .OrderByDescending(a => a.Id)
            .ToListAsync(cancellationToken);
        var medications = await db.Medications.AsNoTracking()
            .Where(m => m.PatientId == patientId && m.ClinicId == clinicId && m.Status == MedicationStatus.Active &&
                m.StartDate <= today && (m.EndDate == null || m.EndDate >= today))
            .OrderByDescending(m => m.Id)
            .ToListAsync(cancellationToken);
        var vitals = await db.VitalSigns.AsNoTracking()
            .Where(v => v.PatientId == patientId && v.ClinicId == clinicId)
            .GroupBy(v => v.Kind)
            .Select(g => g.OrderByDescending(v => v.MeasuredAt).ThenByDescending(v => v.Id).First())
            .ToListAsync(cancellationToken);
        string[] upcoming = [AppointmentStatus.Booked, AppointmentStatus.Held, AppointmentStatus.CheckedIn];
        var appointments = await db.Appointments.AsNoTracking()
            .Where(a => a.PatientId == patientId && a.ClinicId == clinicId && upcoming.Contains(a.Status) && a.StartsAt > now)
            .OrderBy(a => a.StartsAt)
            .Take(UpcomingAppointments)
            .Select(a => new UpcomingAppointmentDto(
                a.Id, a.StartsAt, a.EndsAt, a.Status, a.Mode, a.PractitionerId,
                db.Practitioners.Where(p => p.Id == a.PractitionerId).Select(p => p.DisplayName).FirstOrDefault(), a.LocationId))
            .ToListAsync(cancellationToken);
        return new PatientSummaryDto(
            patient.ToDto(),
            problems.Select(p => p.ToDto()).ToList(),
            allergies.Select(a => a.ToDto()).ToList(),
            await MedicationDtosAsync(db, medications, cancellationToken),
            vitals.OrderBy(v => VitalKinds.All.TakeWhile(k => k.Name != v.Kind).Count()).Select(v => v.ToDto()).ToList(),
            appointments);
    }

    private static string Cursor(Guid id, DateTimeOffset? at)
    {
        Span<byte> bytes = stackalloc byte[24];
        id.TryWriteBytes(bytes[..16], bigEndian: true, out _);
        if (at is { } time)
        {
            BinaryPrimitives.WriteInt64BigEndian(bytes[16..], time.UtcTicks);
            return Base64Url.EncodeToString(bytes);
        }

        return Base64Url.EncodeToString(bytes[..16]);
    }
}
