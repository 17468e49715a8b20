using System.Diagnostics;
using System.Globalization;
using Healthcare.Api.Features.Patients;
using Healthcare.Core.Patients;
using Healthcare.Core.Scheduling;
using Healthcare.Core.Security;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace Healthcare.Api.Commands;

/// <summary>The bulk of <c>seed-large</c>: patients, appointments, clinical notes and allergies through binary COPY, with a progress line.</summary>
public static partial class LargeSeed
{
    private static async Task<Guid[][]> CopyPatientsAsync(
        NpgsqlConnection connection, Plan plan, FieldEncryption encryption, Guid patientUserId, DateTimeOffset now, Progress progress)
    {
        var ids = new Guid[plan.Clinics.Length][];
        var random = new Random(20261);
        var number = 0;
        for (var c = 0; c < plan.Clinics.Length; c++)
        {
            var clinic = plan.Clinics[c];
            ids[c] = new Guid[clinic.Patients];
            for (var start = 0; start < clinic.Patients; start += BatchRows)
            {
                await using var copy = await connection.BeginBinaryImportAsync(
                    "COPY patients (id, clinic_id, user_id, given_name, family_name, search_name, date_of_birth, sex, phone, email, " +
                    "preferred_language, insurer_name, national_id_encrypted, national_id_index, national_id_last4, " +
                    "insurance_member_id_encrypted, insurance_member_id_index, created_at, updated_at, emergency_contacts) FROM STDIN (FORMAT BINARY)");
                var end = Math.Min(clinic.Patients, start + BatchRows);
                for (var i = start; i < end; i++, number++)
                {
                    var id = Guid.CreateVersion7();
                    ids[c][i] = id;
                    var given = GivenNames[random.Next(GivenNames.Length)];
                    var family = FamilyNames[random.Next(FamilyNames.Length)];
                    // Numbers starting with 9 are never issued as US social security numbers.
                    var nationalId = string.Create(CultureInfo.InvariantCulture, $"9{number / 1_000_000 % 100:D2}-{number / 10_000 % 100:D2}-{number % 10_000:D4}");
                    var memberId = i % 2 == 0 ? string.Create(CultureInfo.InvariantCulture, $"BHP{number:D9}") : null;
                    var created = now.AddDays(-random.Next(30, 3000));
                    await copy.StartRowAsync();
                    await copy.WriteAsync(id, NpgsqlDbType.Uuid);
                    await copy.WriteAsync(clinic.Id, NpgsqlDbType.Uuid);
                    await WriteNullableAsync(copy, i == 0 ? patientUserId : null, NpgsqlDbType.Uuid);
                    await copy.WriteAsync(given, NpgsqlDbType.Varchar);
                    await copy.WriteAsync(family, NpgsqlDbType.Varchar);
                    await copy.WriteAsync(Patient.NormalizeName($"{family} {given}"), NpgsqlDbType.Varchar);
                    await copy.WriteAsync(new DateOnly(1940 + random.Next(80), 1 + random.Next(12), 1 + random.Next(28)), NpgsqlDbType.Date);
                    await copy.WriteAsync(random.Next(100) switch { < 49 => "female", < 98 => "male", _ => "unknown" }, NpgsqlDbType.Varchar);
                    await copy.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"+1 555 01{number % 100:D2} {number / 100 % 10_000:D4}"), NpgsqlDbType.Varchar);
                    await copy.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{given.ToLowerInvariant()}.{family.ToLowerInvariant()}.{number}@example.com"), NpgsqlDbType.Varchar);
                    await copy.WriteAsync(i % 7 == 0 ? "es" : "en", NpgsqlDbType.Varchar);
                    await copy.WriteAsync("Bench Health Plan", NpgsqlDbType.Varchar);
                    await copy.WriteAsync(encryption.Encrypt(nationalId)!, NpgsqlDbType.Text);
                    await copy.WriteAsync(encryption.BlindIndex(nationalId, PatientRequest.NationalIdPurpose)!, NpgsqlDbType.Bytea);
                    await copy.WriteAsync(nationalId[^4..], NpgsqlDbType.Varchar);
                    await WriteNullableAsync(copy, encryption.Encrypt(memberId), NpgsqlDbType.Text);
                    await WriteNullableAsync(copy, encryption.BlindIndex(memberId, PatientRequest.InsuranceMemberIdPurpose), NpgsqlDbType.Bytea);
                    await copy.WriteAsync(created, NpgsqlDbType.TimestampTz);
                    await copy.WriteAsync(created, NpgsqlDbType.TimestampTz);
                    await copy.WriteAsync("[]", NpgsqlDbType.Jsonb);
                }

                await copy.CompleteAsync();
                progress.Add("patients", end - start);
            }
        }

        return ids;
    }

    /// <summary>
    /// Each practitioner's appointments sit on a 30-minute grid of clinic-local time inside their working hours,
    /// one per cell, and no type lasts longer than a cell including its buffer, so no two overlap. At one
    /// instant the practitioners of a clinic see different patients. About 80% lie in the past (completed,
    /// some cancelled or no-shows); the rest are ahead, mostly booked, with free cells left for availability.
    /// </summary>
    private static async Task CopyAppointmentsAsync(NpgsqlConnection connection, Plan plan, Guid[][] patientIds, DateTimeOffset now, Progress progress)
    {
        const double pastFill = 0.8;
        const double futureFill = 0.55;
        var nowInstant = Instant.FromDateTimeOffset(now);
        var rows = new List<object?[]>(BatchRows);
        foreach (var practitioner in plan.Practitioners)
        {
            var clinic = plan.Clinics[practitioner.Clinic];
            var practitionersHere = plan.Practitioners.Count(p => p.Clinic == practitioner.Clinic);
            var random = new Random(practitioner.Clinic * 100_003 + practitioner.Index);
            var cellsPerDay = (int)(practitioner.Ends - practitioner.Starts).TotalMinutes / CellMinutes;
            var daysPerWeek = practitioner.WorksFriday ? 5 : 4;
            var pastWorkdays = (int)Math.Ceiling(practitioner.Appointments * 0.8 / (cellsPerDay * pastFill));
            var today = nowInstant.InZone(clinic.Zone).Date;
            var date = today.PlusDays(-(int)Math.Ceiling(pastWorkdays * 7.0 / daysPerWeek));
            var made = 0;
            while (made < practitioner.Appointments)
            {
                var works = date.DayOfWeek is >= IsoDayOfWeek.Monday and <= IsoDayOfWeek.Thursday ||
                    (date.DayOfWeek == IsoDayOfWeek.Friday && practitioner.WorksFriday);
                for (var cell = 0; works && cell < cellsPerDay && made < practitioner.Appointments; cell++)
                {
                    var local = date + LocalTime.FromMinutesSinceMidnight(practitioner.Starts.Hour * 60 + practitioner.Starts.Minute + cell * CellMinutes);
                    var startsAt = local.InZoneLeniently(clinic.Zone).ToDateTimeOffset().ToUniversalTime();
                    var past = startsAt < now;
                    if (random.NextDouble() >= (past ? pastFill : futureFill))
                    {
                        continue;
                    }

                    // At one instant the practitioners of a clinic take patients a fixed stride apart from a hashed
                    // base: never the same patient twice at the same time, and over time every patient comes up.
                    var halfHour = ((long)date.ToDateOnly().DayNumber * 48) + (local.Hour * 2) + (local.Minute / 30);
                    var start = (long)((ulong)halfHour * 2654435761UL % (ulong)clinic.Patients);
                    var stride = clinic.Patients / practitionersHere;
                    var patient = patientIds[practitioner.Clinic][(int)((start + ((long)practitioner.Index * stride)) % clinic.Patients)];
                    var type = random.Next(100) switch { < 60 => 0, < 85 => 1, _ => 2 };
                    rows.Add(AppointmentRow(practitioner, clinic, patient, type, startsAt, past, now, random));
                    made++;
                    if (rows.Count == BatchRows)
                    {
                        await CopyAppointmentRowsAsync(connection, rows);
                        progress.Add("appointments", rows.Count);
                        rows.Clear();
                    }
                }

                date = date.PlusDays(1);
            }
        }

        if (rows.Count > 0)
        {
            await CopyAppointmentRowsAsync(connection, rows);
            progress.Add("appointments", rows.Count);
        }
    }

    private static object?[] AppointmentRow(
        PlannedPractitioner practitioner, PlannedClinic clinic, Guid patient, int type, DateTimeOffset startsAt, bool past, DateTimeOffset now, Random random)
    {
        var endsAt = startsAt.AddMinutes(clinic.TypeMinutes[type]);
        var blockedUntil = endsAt.AddMinutes(clinic.TypeBuffers[type]);
        var created = startsAt.AddDays(-random.Next(1, 45)).AddMinutes(-random.Next(600));
        if (created > now)
        {
            created = now.AddMinutes(-random.Next(1, 600));
        }

        var roll = random.Next(100);
        string status;
        DateTimeOffset? checkedIn = null, started = null, completed = null, cancelled = null;
        if (past)
        {
            status = roll switch { < 6 => AppointmentStatus.NoShow, < 16 => AppointmentStatus.Cancelled, _ => AppointmentStatus.Completed };
        }
        else
        {
            status = roll < 7 ? AppointmentStatus.Cancelled : AppointmentStatus.Booked;
        }

        var updated = created;
        switch (status)
        {
            case AppointmentStatus.Completed:
                checkedIn = startsAt.AddMinutes(-random.Next(2, 15));
                started = startsAt.AddMinutes(random.Next(0, 5));
                completed = endsAt.AddMinutes(random.Next(0, 5));
                updated = completed.Value;
                break;
            case AppointmentStatus.NoShow:
                updated = startsAt.AddMinutes(20);
                break;
            case AppointmentStatus.Cancelled:
                var cancelledAt = created.AddTicks((long)((startsAt - created).Ticks * random.NextDouble()));
                cancelled = cancelledAt > now ? now : cancelledAt;
                updated = cancelled.Value;
                break;
        }

        var mode = clinic.TypeModes[type];
        return
        [
            Guid.CreateVersion7(), clinic.Id, practitioner.Id, patient, clinic.Types[type],
            mode == VisitModes.InPerson ? practitioner.Location : null, mode, startsAt, endsAt, blockedUntil, status,
            checkedIn, started, completed, cancelled, status == AppointmentStatus.Cancelled ? "Patient request" : null, created, updated,
        ];
    }

    private static async Task CopyAppointmentRowsAsync(NpgsqlConnection connection, List<object?[]> rows)
    {
        await using var copy = await connection.BeginBinaryImportAsync(
            "COPY appointments (id, clinic_id, practitioner_id, patient_id, appointment_type_id, location_id, mode, starts_at, ends_at, " +
            "blocked_until, status, checked_in_at, started_at, completed_at, cancelled_at, cancellation_reason, created_at, updated_at) " +
            "FROM STDIN (FORMAT BINARY)");
        NpgsqlDbType[] types =
        [
            NpgsqlDbType.Uuid, NpgsqlDbType.Uuid, NpgsqlDbType.Uuid, NpgsqlDbType.Uuid, NpgsqlDbType.Uuid, NpgsqlDbType.Uuid, NpgsqlDbType.Varchar,
            NpgsqlDbType.TimestampTz, NpgsqlDbType.TimestampTz, NpgsqlDbType.TimestampTz, NpgsqlDbType.Varchar, NpgsqlDbType.TimestampTz,
            NpgsqlDbType.TimestampTz, NpgsqlDbType.TimestampTz, NpgsqlDbType.TimestampTz, NpgsqlDbType.Varchar, NpgsqlDbType.TimestampTz,
            NpgsqlDbType.TimestampTz,
        ];
        foreach (var row in rows)
        {
            await copy.StartRowAsync();
            for (var i = 0; i < row.Length; i++)
            {
                await WriteNullableAsync(copy, row[i], types[i]);
            }
        }

        await copy.CompleteAsync();
    }

    /// <summary>A signed, released progress note for every tenth patient and an allergy for every fifth.</summary>
    private static async Task CopyRecordsAsync(
        NpgsqlConnection connection, Plan plan, Guid[][] patientIds, FieldEncryption encryption, Guid doctor, int notes, int allergies,
        DateTimeOffset now, Progress progress)
    {
        var all = patientIds.SelectMany((ids, c) => ids.Select(id => (Clinic: plan.Clinics[c].Id, Patient: id))).ToArray();
        var random = new Random(7);
        for (var start = 0; start < notes; start += BatchRows)
        {
            var end = Math.Min(notes, start + BatchRows);
            await using var copy = await connection.BeginBinaryImportAsync(
                "COPY clinical_notes (id, clinic_id, patient_id, author_user_id, kind, body_encrypted, created_at, updated_at, signed_at, " +
                "released, released_at, released_by_user_id) FROM STDIN (FORMAT BINARY)");
            for (var i = start; i < end; i++)
            {
                var (clinic, patient) = all[(int)((long)i * 10 % all.Length)];
                var at = now.AddDays(-random.Next(1, 365));
                await copy.StartRowAsync();
                await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await copy.WriteAsync(clinic, NpgsqlDbType.Uuid);
                await copy.WriteAsync(patient, NpgsqlDbType.Uuid);
                await copy.WriteAsync(doctor, NpgsqlDbType.Uuid);
                await copy.WriteAsync("progress", NpgsqlDbType.Varchar);
                await copy.WriteAsync(encryption.Encrypt(NoteTexts[i % NoteTexts.Length])!, NpgsqlDbType.Text);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(true, NpgsqlDbType.Boolean);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(doctor, NpgsqlDbType.Uuid);
            }

            await copy.CompleteAsync();
            progress.Add("clinical notes", end - start);
        }

        for (var start = 0; start < allergies; start += BatchRows)
        {
            var end = Math.Min(allergies, start + BatchRows);
            await using var copy = await connection.BeginBinaryImportAsync(
                "COPY allergies (id, clinic_id, patient_id, substance, reaction, severity, status, recorded_by_user_id, created_at, updated_at) " +
                "FROM STDIN (FORMAT BINARY)");
            for (var i = start; i < end; i++)
            {
                var (clinic, patient) = all[(int)(((long)i * 5 + 3) % all.Length)];
                var at = now.AddDays(-random.Next(1, 2000));
                await copy.StartRowAsync();
                await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                await copy.WriteAsync(clinic, NpgsqlDbType.Uuid);
                await copy.WriteAsync(patient, NpgsqlDbType.Uuid);
                await copy.WriteAsync(Allergens[i % Allergens.Length], NpgsqlDbType.Varchar);
                await copy.WriteAsync("Hives", NpgsqlDbType.Varchar);
                await copy.WriteAsync(i % 9 == 0 ? "severe" : "moderate", NpgsqlDbType.Varchar);
                await copy.WriteAsync("active", NpgsqlDbType.Varchar);
                await copy.WriteAsync(doctor, NpgsqlDbType.Uuid);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
                await copy.WriteAsync(at, NpgsqlDbType.TimestampTz);
            }

            await copy.CompleteAsync();
            progress.Add("allergies", end - start);
        }
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter copy, object? value, NpgsqlDbType type) =>
        value is null ? copy.WriteNullAsync() : copy.WriteAsync(value, type);

    /// <summary>A progress line on stderr: percent, rows per second and time left; redrawn on a terminal, every few seconds otherwise.</summary>
    private sealed class Progress(long total)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly bool _terminal = !Console.IsErrorRedirected;
        private double _lastPrinted = double.NegativeInfinity;

        public long Done { get; private set; }

        public void Add(string table, int rows)
        {
            Done += rows;
            var elapsed = _clock.Elapsed.TotalSeconds;
            if (elapsed - _lastPrinted < (_terminal ? 0.25 : 5) && Done < total)
            {
                return;
            }

            _lastPrinted = elapsed;
            var rate = Done / Math.Max(elapsed, 0.001);
            var left = TimeSpan.FromSeconds(Math.Max(0, total - Done) / Math.Max(rate, 1));
            var percent = 100.0 * Done / Math.Max(total, 1);
            var filled = (int)(percent / 5);
            var line = string.Create(CultureInfo.InvariantCulture,
                $"[{new string('#', filled)}{new string('.', 20 - filled)}] {percent,5:F1}% {Done,10:N0}/{total:N0} rows {rate,9:N0} rows/s ETA {left:mm\\:ss} ({table})");
            Console.Error.Write(_terminal ? $"\r{line}" : $"{line}\n");
        }

        public void Finish()
        {
            if (_terminal)
            {
                Console.Error.WriteLine();
            }
        }
    }
}
