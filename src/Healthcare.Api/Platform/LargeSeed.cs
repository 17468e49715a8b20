using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Healthcare.Api.Features.Patients;
using Healthcare.Core.Clinics;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Patients;
using Healthcare.Core.Scheduling;
using Healthcare.Core.Security;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Npgsql;
using NpgsqlTypes;

namespace Healthcare.Api.Platform;

/// <summary>How many rows <c>seed-large</c> writes: the defaults times <c>SEED_SCALE</c>, each overridable.</summary>
public sealed record LargeSeedSizes(int Clinics, int Practitioners, int Patients, int Appointments)
{
    public static readonly LargeSeedSizes Defaults = new(20, 500, 200_000, 2_000_000);

    /// <summary>Reads SEED_SCALE, SEED_CLINICS, SEED_PRACTITIONERS, SEED_PATIENTS and SEED_APPOINTMENTS.</summary>
    public static LargeSeedSizes? Read(IConfiguration configuration, out string error)
    {
        error = "";
        var scale = 1.0;
        if (configuration["SEED_SCALE"] is { Length: > 0 } text &&
            (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out scale) || scale is <= 0 or > 10))
        {
            error = "SEED_SCALE must be a number greater than 0 and at most 10 (e.g. 0.01)";
            return null;
        }

        int Size(string name, int full, int minimum, ref string problem)
        {
            if (configuration[name] is not { Length: > 0 } value)
            {
                return Math.Max(minimum, (int)Math.Round(full * scale));
            }

            if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < minimum || count > 100_000_000)
            {
                problem = $"{name} must be a whole number from {minimum} to 100000000";
            }

            return count;
        }

        var clinics = Size("SEED_CLINICS", Defaults.Clinics, 1, ref error);
        var practitioners = Size("SEED_PRACTITIONERS", Defaults.Practitioners, clinics, ref error);
        // Every practitioner of a clinic sees a different patient at any one time, so a clinic needs more patients than practitioners.
        var patients = Size("SEED_PATIENTS", Defaults.Patients, practitioners * 4, ref error);
        var appointments = Size("SEED_APPOINTMENTS", Defaults.Appointments, practitioners, ref error);
        return error.Length > 0 ? null : new LargeSeedSizes(clinics, practitioners, patients, appointments);
    }
}

/// <summary>
/// <c>seed-large</c>: fills the database with a realistic volume of fictitious data for load tests, through
/// PostgreSQL's binary COPY: clinics, practitioners with working hours, patients (national and insurance ids
/// encrypted with the configured keys, with blind indexes), appointments over a year in the past and a
/// quarter ahead that never overlap, clinical notes and allergies, and three bench accounts without MFA.
/// Writes no audit events, so the audit trail stays valid. Runs once: a database that has the bench
/// clinics already is left alone.
/// </summary>
public static class LargeSeed
{
    public const string ClinicPrefix = "Bench Clinic ";
    public const string EmailDomain = "bench.healthcare.test";
    private const int BatchRows = 50_000;
    private const int CellMinutes = 30;

    private static readonly string[] Zones =
        ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix", "Europe/London", "Europe/Berlin"];

    private static readonly string[] GivenNames =
    [
        "Maria", "James", "Aiko", "Noah", "Fatima", "Liam", "Olivia", "Ethan", "Sofia", "Lucas", "Amara", "Mateo", "Chloe", "Daniel",
        "Emma", "Ravi", "Grace", "Omar", "Zoe", "Hannah", "Kwame", "Ingrid", "Mei", "Diego", "Leila", "Tomas", "Priya", "Jonas",
    ];

    private static readonly string[] FamilyNames =
    [
        "Garcia", "Smith", "Tanaka", "Johnson", "Khan", "Brown", "Miller", "Davis", "Rossi", "Martin", "Okafor", "Lopez", "Wilson",
        "Kim", "Moore", "Patel", "Taylor", "Haddad", "Anderson", "Nguyen", "Schmidt", "Mensah", "Silva", "Novak", "Cohen", "Ivanova",
    ];

    private static readonly string[] Specialties = ["general-practice", "cardiology", "dermatology", "paediatrics", "orthopaedics", "psychiatry"];

    private static readonly string[] Allergens = ["Penicillin", "Latex", "Peanuts", "Sulfonamides", "Shellfish", "Aspirin", "Pollen"];

    private static readonly string[] NoteTexts =
    [
        "Follow-up visit. Blood pressure controlled on current medication; continue and review in three months.",
        "Annual check-up. No new complaints. Routine blood tests ordered.",
        "Seasonal allergy symptoms; antihistamine as needed. Return if symptoms persist.",
        "Sprained ankle, improving. Physiotherapy exercises explained.",
    ];

    public static async Task<int> RunAsync(IServiceProvider services, IHostEnvironment environment, IConfiguration configuration, string? credentialsFile)
    {
        if (environment.IsProduction())
        {
            await Console.Error.WriteLineAsync("seed-large refused: load-test data is never created in Production");
            return 1;
        }

        if (LargeSeedSizes.Read(configuration, out var error) is not { } sizes)
        {
            await Console.Error.WriteLineAsync($"configuration error: {error}");
            return 78;
        }

        await using var scope = services.CreateAsyncScope();
        var dataSource = scope.ServiceProvider.GetRequiredService<NpgsqlDataSource>();
        await using var connection = await dataSource.OpenConnectionAsync();
        // One transaction for everything: a load that fails part-way leaves nothing behind, so it can simply run again.
        await using var transaction = await connection.BeginTransactionAsync();
        var options = new DbContextOptionsBuilder<HealthcareDbContext>()
            .UseNpgsql(connection, npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(scope.ServiceProvider.GetRequiredService<CreatedAtInterceptor>())
            .Options;
        await using var db = new HealthcareDbContext(options);
        await db.Database.UseTransactionAsync(transaction);
        if (await db.Clinics.AnyAsync(c => c.Name.StartsWith(ClinicPrefix)))
        {
            Console.WriteLine("seed-large: the bench clinics are present already; nothing loaded (start from an empty database to load again)." +
                (credentialsFile is null ? "" : $" Their accounts are in {credentialsFile} if it was given the first time."));
            return 0;
        }

        var clock = Stopwatch.StartNew();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow();
        var encryption = scope.ServiceProvider.GetRequiredService<FieldEncryption>();
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seed-large: {sizes.Clinics} clinics, {sizes.Practitioners} practitioners, {sizes.Patients} patients, {sizes.Appointments} appointments"));

        var plan = await CreateDirectoryAsync(db, sizes, now);
        var accounts = await CreateAccountsAsync(db, plan, now);

        var notes = sizes.Patients / 10;
        var allergies = sizes.Patients / 5;
        var progress = new Progress((long)sizes.Patients + sizes.Appointments + notes + allergies);
        var patientIds = await CopyPatientsAsync(connection, plan, encryption, accounts.PatientUserId, now, progress);
        await CopyAppointmentsAsync(connection, plan, patientIds, now, progress);
        await CopyRecordsAsync(connection, plan, patientIds, encryption, accounts.DoctorUserId, notes, allergies, now, progress);
        progress.Finish();
        Console.Error.WriteLine("seed-large: commit ...");
        await transaction.CommitAsync();

        Console.Error.WriteLine("seed-large: ANALYZE ...");
        const string Analyze = "ANALYZE clinics, locations, practitioners, working_hours, appointment_types, users, clinic_memberships, " +
            "patients, appointments, clinical_notes, allergies";
        await using (var analyze = new NpgsqlCommand(Analyze, connection))
        {
            analyze.CommandTimeout = 0;
            await analyze.ExecuteNonQueryAsync();
        }

        await WriteAccountsAsync(accounts.Table, credentialsFile);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seed-large: loaded {progress.Done} rows in {clock.Elapsed.TotalSeconds:F1} s"));
        return 0;
    }

    /// <summary>One practitioner's place in the plan: its clinic, index there, weekly hours and location.</summary>
    private sealed record PlannedPractitioner(Guid Id, int Clinic, int Index, Guid Location, TimeOnly Starts, TimeOnly Ends, bool WorksFriday, int Appointments);

    private sealed record PlannedClinic(Guid Id, DateTimeZone Zone, Guid[] Types, int[] TypeMinutes, int[] TypeBuffers, string[] TypeModes, int Patients);

    private sealed record Plan(LargeSeedSizes Sizes, PlannedClinic[] Clinics, PlannedPractitioner[] Practitioners);

    private static int Share(int total, int parts, int index) => (total / parts) + (index < total % parts ? 1 : 0);

    /// <summary>The small tables, through EF Core: clinics, locations, appointment types, practitioners and their hours.</summary>
    private static async Task<Plan> CreateDirectoryAsync(HealthcareDbContext db, LargeSeedSizes sizes, DateTimeOffset now)
    {
        var clinics = new List<PlannedClinic>();
        var practitioners = new List<PlannedPractitioner>();
        var weekdays = new[] { DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday };
        var practitionerNumber = 0;
        for (var c = 0; c < sizes.Clinics; c++)
        {
            var zoneId = Zones[c % Zones.Length];
            var address = new Address($"{100 + c} Harbour Road", null, "Springfield", "NY", $"{10000 + c}", "US");
            var clinic = new Clinic
            {
                Name = $"{ClinicPrefix}{c + 1:D3}",
                TimeZone = zoneId,
                Address = address,
                Phone = $"+1 212 555 {c % 10000:D4}",
                Email = $"desk{c + 1}@{EmailDomain}",
                OpeningHours = [.. weekdays.Select(d => new OpeningHours(d, new TimeOnly(8, 0), new TimeOnly(18, 0)))],
            };
            db.Clinics.Add(clinic);
            var locations = Enumerable.Range(0, 2)
                .Select(i => new Location { ClinicId = clinic.Id, Name = i == 0 ? "Main building" : "Annex", Address = address with { } })
                .ToArray();
            db.Locations.AddRange(locations);
            AppointmentType[] types =
            [
                new() { ClinicId = clinic.Id, Name = "Consultation", Mode = VisitModes.InPerson, DurationMinutes = 20, BufferMinutes = 10 },
                new() { ClinicId = clinic.Id, Name = "Follow-up", Mode = VisitModes.InPerson, DurationMinutes = 15, BufferMinutes = 5 },
                new() { ClinicId = clinic.Id, Name = "Video visit", Mode = VisitModes.Video, DurationMinutes = 20, BufferMinutes = 5 },
            ];
            db.AppointmentTypes.AddRange(types);

            var count = Share(sizes.Practitioners, sizes.Clinics, c);
            for (var j = 0; j < count; j++, practitionerNumber++)
            {
                var location = locations[j % locations.Length].Id;
                var practitioner = new Practitioner
                {
                    ClinicId = clinic.Id,
                    DisplayName = $"Dr. {GivenNames[practitionerNumber % GivenNames.Length]} {FamilyNames[(practitionerNumber / GivenNames.Length) % FamilyNames.Length]} {practitionerNumber + 1}",
                    Title = j % 4 == 3 ? "RN" : "MD",
                    Specialties = [Specialties[j % Specialties.Length]],
                    LicenceNumber = $"NY-MD-{700000 + practitionerNumber}",
                    LocationIds = [location],
                };
                var starts = new TimeOnly(j % 3 == 0 ? 9 : 8, 0);
                var ends = new TimeOnly(j % 4 == 0 ? 16 : 17, 0);
                var worksFriday = j % 5 != 4;
                db.Practitioners.Add(practitioner);
                db.WorkingHours.AddRange(weekdays.Where(d => worksFriday || d != DayOfWeek.Friday).Select(d => new WorkingHours
                {
                    ClinicId = clinic.Id,
                    PractitionerId = practitioner.Id,
                    LocationId = location,
                    Day = d,
                    Starts = starts,
                    Ends = ends,
                }));
                practitioners.Add(new PlannedPractitioner(
                    practitioner.Id, c, j, location, starts, ends, worksFriday, Share(sizes.Appointments, sizes.Practitioners, practitionerNumber)));
            }

            clinics.Add(new PlannedClinic(
                clinic.Id, ClinicTime.Zone(zoneId), [.. types.Select(t => t.Id)], [.. types.Select(t => t.DurationMinutes)],
                [.. types.Select(t => t.BufferMinutes)], [.. types.Select(t => t.Mode)], Share(sizes.Patients, sizes.Clinics, c)));
        }

        await db.SaveChangesAsync();
        return new Plan(sizes, [.. clinics], [.. practitioners]);
    }

    private sealed record Accounts(Guid DoctorUserId, Guid PatientUserId, string Table);

    /// <summary>
    /// Three known accounts for the benchmark, without MFA (the bench clinics do not require it): a clinic
    /// administrator of every bench clinic, a doctor (the first practitioner of each clinic) and a patient
    /// (the first patient of each clinic, so with appointments ahead everywhere).
    /// </summary>
    private static async Task<Accounts> CreateAccountsAsync(HealthcareDbContext db, Plan plan, DateTimeOffset now)
    {
        var table = new StringBuilder()
            .AppendLine("Bench accounts (load-test data; passwords are random per load):")
            .AppendLine(CultureInfo.InvariantCulture, $"  {"role",-13} {"e-mail",-36} password");
        User Account(string role, string name)
        {
            var email = $"{role.Replace('_', '.')}@{EmailDomain}";
            var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');
            table.AppendLine(CultureInfo.InvariantCulture, $"  {role,-13} {email,-36} {password}");
            var user = new User { Email = email, DisplayName = name, PasswordHash = PasswordHashing.Hash(password), CreatedAt = now, EmailVerifiedAt = now };
            foreach (var clinic in plan.Clinics)
            {
                user.Memberships.Add(new ClinicMembership { ClinicId = clinic.Id, Role = role });
            }

            return user;
        }

        var admin = Account(ClinicRoles.ClinicAdmin, "Bench Admin");
        var doctor = Account(ClinicRoles.Doctor, "Dr. Bench Doctor");
        var patient = Account(ClinicRoles.Patient, "Bench Patient");
        db.Users.AddRange(admin, doctor, patient);
        await db.SaveChangesAsync();
        var firstPractitioners = plan.Practitioners.Where(p => p.Index == 0).Select(p => p.Id).ToList();
        await db.Practitioners.Where(p => firstPractitioners.Contains(p.Id)).ExecuteUpdateAsync(s => s.SetProperty(p => p.UserId, doctor.Id));
        return new Accounts(doctor.Id, patient.Id, table.ToString());
    }

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

    private static async Task WriteAccountsAsync(string table, string? credentialsFile)
    {
        Console.Write(table);
        if (credentialsFile is null)
        {
            return;
        }

        await File.WriteAllTextAsync(credentialsFile, table);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(credentialsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

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
