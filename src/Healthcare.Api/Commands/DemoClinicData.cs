using Healthcare.Api.Features.Patients;
using Healthcare.Core.Clinics;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Patients;
using Healthcare.Core.Practitioners;
using Healthcare.Core.Records;
using Healthcare.Core.Scheduling;
using Healthcare.Core.Security;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Healthcare.Api.Commands;

/// <summary>
/// The demo clinic's content: profile, two locations, three practitioners with working hours, appointment
/// types, twenty fictitious patients and a week of appointments around today, so every endpoint has
/// something to show. Added once; running the seed again changes nothing.
/// </summary>
public static class DemoClinicData
{
    private static readonly (string Given, string Family, string Sex, int Year)[] People =
    [
        ("Maria", "Garcia", "female", 1984), ("James", "Smith", "male", 1972), ("Aiko", "Tanaka", "female", 1991),
        ("Noah", "Johnson", "male", 2015), ("Fatima", "Khan", "female", 1968), ("Liam", "Brown", "male", 1999),
        ("Olivia", "Miller", "female", 1957), ("Ethan", "Davis", "male", 1988), ("Sofia", "Rossi", "female", 2003),
        ("Lucas", "Martin", "male", 1979), ("Amara", "Okafor", "female", 1995), ("Mateo", "Lopez", "male", 1964),
        ("Chloe", "Wilson", "female", 2010), ("Daniel", "Kim", "male", 1983), ("Emma", "Moore", "female", 1949),
        ("Ravi", "Patel", "male", 1976), ("Grace", "Taylor", "female", 1993), ("Omar", "Haddad", "male", 1986),
        ("Zoe", "Anderson", "female", 2001), ("Pat", "Patient", "unknown", 1990),
    ];

    public static async Task SeedAsync(IServiceProvider services, Guid clinicId)
    {
        var db = services.GetRequiredService<HealthcareDbContext>();
        if (await db.Practitioners.AnyAsync(p => p.ClinicId == clinicId))
        {
            return;
        }

        var encryption = services.GetRequiredService<FieldEncryption>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var clinic = await db.Clinics.SingleAsync(c => c.Id == clinicId);
        clinic.Address = new Address("100 Main Street", null, "Springfield", "NY", "10001", "US");
        clinic.Phone = "+1 212 555 0100";
        clinic.Email = "desk@demo.healthcare.test";
        clinic.OpeningHours = [.. Weekdays().Select(d => new OpeningHours(d, new TimeOnly(8, 0), new TimeOnly(18, 0)))];

        var main = new Location { ClinicId = clinicId, Name = "Main Street", Address = clinic.Address, Phone = clinic.Phone };
        var north = new Location { ClinicId = clinicId, Name = "North Annex", Address = new Address("5 Hill Road", null, "Springfield", "NY", "10002", "US") };
        var doctorAccount = await db.Users.Where(u => u.Email == $"doctor@{DatabaseCommands.DemoEmailDomain}").Select(u => (Guid?)u.Id).SingleOrDefaultAsync();
        Practitioner[] practitioners =
        [
            new() { ClinicId = clinicId, DisplayName = "Dr. Dana Doctor", Title = "MD", Specialties = ["general-practice"], LicenceNumber = "NY-MD-100234", LocationIds = [main.Id], UserId = doctorAccount },
            new() { ClinicId = clinicId, DisplayName = "Dr. Chen Wei", Title = "MD", Specialties = ["cardiology"], LicenceNumber = "NY-MD-200871", LocationIds = [main.Id, north.Id] },
            new() { ClinicId = clinicId, DisplayName = "Nurse Jordan Lee", Title = "RN", Specialties = ["general-practice", "vaccination"], LicenceNumber = "NY-RN-551902", LocationIds = [north.Id] },
        ];
        AppointmentType[] types =
        [
            new() { ClinicId = clinicId, Name = "Consultation", Mode = VisitModes.InPerson, DurationMinutes = 30, BufferMinutes = 10 },
            new() { ClinicId = clinicId, Name = "Video follow-up", Mode = VisitModes.Video, DurationMinutes = 20, BufferMinutes = 5 },
            new() { ClinicId = clinicId, Name = "Home visit", Mode = VisitModes.HomeVisit, DurationMinutes = 60, BufferMinutes = 30 },
        ];
        db.Locations.AddRange(main, north);
        db.Practitioners.AddRange(practitioners);
        db.AppointmentTypes.AddRange(types);
        foreach (var (practitioner, index) in practitioners.Select((p, i) => (p, i)))
        {
            db.WorkingHours.AddRange(Weekdays().Select(day => new WorkingHours
            {
                ClinicId = clinicId,
                PractitionerId = practitioner.Id,
                LocationId = practitioner.LocationIds[(int)day % practitioner.LocationIds.Count],
                Day = day,
                Starts = new TimeOnly(8 + index % 2, 0),
                Ends = new TimeOnly(17, 0),
            }));
        }

        var patientAccount = await db.Users.Where(u => u.Email == $"patient@{DatabaseCommands.DemoEmailDomain}").Select(u => (Guid?)u.Id).SingleOrDefaultAsync();
        var patients = People.Select((person, i) =>
        {
            var patient = new Patient
            {
                ClinicId = clinicId,
                GivenName = person.Given,
                FamilyName = person.Family,
                Sex = person.Sex,
                DateOfBirth = new DateOnly(person.Year, 1 + i % 12, 1 + i % 28),
                Phone = $"+1 212 555 {1000 + i:D4}",
                Email = $"{person.Given.ToLowerInvariant()}.{person.Family.ToLowerInvariant()}@example.com",
                PreferredLanguage = i % 5 == 0 ? "es" : "en",
                InsurerName = "Demo Health Plan",
                CreatedAt = now,
                UpdatedAt = now,
                UserId = person.Family == "Patient" ? patientAccount : null,
                NationalIdEncrypted = encryption.Encrypt($"900-00-{1000 + i:D4}"),
                NationalIdIndex = encryption.BlindIndex($"900-00-{1000 + i:D4}", PatientRequest.NationalIdPurpose),
                NationalIdLast4 = $"{1000 + i:D4}",
            };
            patient.RefreshSearchName();
            return patient;
        }).ToList();
        db.Patients.AddRange(patients);
        await db.SaveChangesAsync();

        // A week around today: three days back (completed or no-show) and four ahead (booked), weekdays only.
        var zone = ClinicTime.Zone(clinic.TimeZone);
        var today = Instant.FromDateTimeOffset(now).InZone(zone).Date;
        var consultation = types[0];
        int[] hours = [9, 10, 11, 14, 15];
        for (var offset = -3; offset <= 4; offset++)
        {
            var date = today.PlusDays(offset);
            if (date.DayOfWeek is IsoDayOfWeek.Saturday or IsoDayOfWeek.Sunday)
            {
                continue;
            }

            for (var p = 0; p < practitioners.Length; p++)
            {
                for (var k = 0; k < hours.Length; k++)
                {
                    var startsAt = zone.AtLeniently(date + new LocalTime(hours[k], 0)).ToDateTimeOffset();
                    var patient = patients[(Math.Abs(offset) * 7 + p * hours.Length + k) % patients.Count];
                    var appointment = Appointment.Book(clinicId, practitioners[p].Id, patient.Id, consultation, null, startsAt, null, now);
                    if (startsAt < now)
                    {
                        var outcome = (p + k + offset) % 7 == 0 ? AppointmentStatus.NoShow : AppointmentStatus.Completed;
                        if (outcome == AppointmentStatus.Completed)
                        {
                            appointment.TryMoveTo(AppointmentStatus.CheckedIn, startsAt.AddMinutes(-5));
                            appointment.TryMoveTo(AppointmentStatus.InProgress, startsAt);
                        }

                        appointment.TryMoveTo(outcome, startsAt.AddMinutes(30));
                    }

                    db.Appointments.Add(appointment);
                }
            }
        }

        if (doctorAccount is { } doctor)
        {
            AddRecords(db, encryption, clinicId, doctor, patients, today.ToDateOnly(), now);
        }

        await db.SaveChangesAsync();
        Console.WriteLine($"Demo clinic filled: {practitioners.Length} practitioners, {patients.Count} patients and a week of appointments.");
    }

    /// <summary>Some history for the first patients and the demo patient account: allergies, problems, prescriptions, vitals, notes.</summary>
    private static void AddRecords(
        HealthcareDbContext db, FieldEncryption encryption, Guid clinicId, Guid doctor, List<Patient> patients, DateOnly today, DateTimeOffset now)
    {
        (string Condition, string Code, string Drug, string Dose, string Frequency, string Allergen)[] histories =
        [
            ("Essential hypertension", "I10", "Lisinopril", "10 mg", "once daily", "Penicillin"),
            ("Type 2 diabetes mellitus without complications", "E11.9", "Metformin", "500 mg", "twice daily", "Latex"),
            ("Asthma, unspecified", "J45.909", "Salbutamol inhaler", "100 mcg", "as needed", "Peanuts"),
            ("Hypothyroidism, unspecified", "E03.9", "Levothyroxine", "50 mcg", "once daily", "Sulfonamides"),
        ];
        foreach (var (patient, i) in patients.Take(6).Append(patients[^1]).Select((p, i) => (p, i)))
        {
            var history = histories[i % histories.Length];
            db.Allergies.Add(new Allergy
            {
                ClinicId = clinicId,
                PatientId = patient.Id,
                Substance = history.Allergen,
                Reaction = "Hives",
                Severity = "moderate",
                RecordedByUserId = doctor,
                CreatedAt = now,
                UpdatedAt = now,
            });
            db.ProblemListItems.Add(new ProblemListItem
            {
                ClinicId = clinicId,
                PatientId = patient.Id,
                Condition = history.Condition,
                Icd10Code = history.Code,
                OnsetDate = today.AddYears(-3 - i),
                RecordedByUserId = doctor,
                CreatedAt = now,
                UpdatedAt = now,
            });
            db.Medications.Add(new Medication
            {
                ClinicId = clinicId,
                PatientId = patient.Id,
                Drug = history.Drug,
                Dose = history.Dose,
                Route = history.Drug.Contains("inhaler", StringComparison.Ordinal) ? "inhaled" : "oral",
                Frequency = history.Frequency,
                StartDate = today.AddMonths(-6),
                PrescriberUserId = doctor,
                CreatedAt = now,
                UpdatedAt = now,
            });
            foreach (var (kind, value, secondary) in new (VitalKind, decimal, decimal?)[]
            {
                (VitalKinds.BloodPressure, 128 + i, 82), (VitalKinds.HeartRate, 68 + i, null), (VitalKinds.Weight, 62.5m + (3 * i), null),
            })
            {
                db.VitalSigns.Add(new VitalSign
                {
                    ClinicId = clinicId,
                    PatientId = patient.Id,
                    Kind = kind.Name,
                    Value = value,
                    SecondaryValue = secondary,
                    Unit = kind.Unit,
                    MeasuredAt = now.AddDays(-3),
                    RecordedByUserId = doctor,
                    CreatedAt = now,
                });
            }

            var note = ClinicalNote.Draft(
                clinicId, patient.Id, doctor, null, NoteKinds.Progress,
                encryption.Encrypt($"Follow-up for {history.Condition.ToLowerInvariant()}. Stable on {history.Drug}; continue and review in three months.")!,
                now.AddDays(-3));
            note.TrySign(now.AddDays(-3));
            note.Release(doctor, now.AddDays(-3));
            db.ClinicalNotes.Add(note);
        }
    }

    private static IEnumerable<DayOfWeek> Weekdays() =>
        [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];
}
