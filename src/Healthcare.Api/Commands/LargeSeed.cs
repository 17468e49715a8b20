using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Healthcare.Core.Clinics;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Patients;
using Healthcare.Core.Practitioners;
using Healthcare.Core.Scheduling;
using Healthcare.Core.Security;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using Npgsql;

namespace Healthcare.Api.Commands;

/// <summary>
/// <c>seed-large</c>: fills the database with a realistic volume of fictitious data for load tests, through
/// PostgreSQL's binary COPY: clinics, practitioners with working hours, patients (national and insurance ids
/// encrypted with the configured keys, with blind indexes), appointments over a year in the past and a
/// quarter ahead that never overlap, clinical notes and allergies, and three bench accounts without MFA.
/// Writes no audit events, so the audit trail stays valid. Runs once: a database that has the bench
/// clinics already is left alone.
/// </summary>
public static partial class LargeSeed
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
}
