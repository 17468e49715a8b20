using Healthcare.Core.Clinics;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Patients;
using Healthcare.Core.Practitioners;
using Healthcare.Core.Records;
using Healthcare.Core.Scheduling;
using Healthcare.Core.Security;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Healthcare.IntegrationTests.Identity;

/// <summary>
/// How the authorization matrix makes a real resource for a route parameter, keyed by the collection segment
/// before the parameter. A factory gets the values made for earlier parameters of the same route.
/// </summary>
internal static class MatrixResources
{
    private static int _appointments;

    public delegate Task<Guid> Factory(HealthcareDbContext db, Guid clinicId, IReadOnlyDictionary<string, Guid> earlier);

    private static readonly FieldEncryption Encryption = new(Options.Create(new FieldEncryptionOptions
    {
        Keys = TestKeys.DataEncryptionKeys,
        BlindIndexKey = TestKeys.BlindIndexKey,
    }));

    public static readonly IReadOnlyDictionary<string, Factory> Factories = new Dictionary<string, Factory>
    {
        ["patients"] = (db, clinicId, _) => PatientAsync(db, clinicId),
        ["locations"] = (db, clinicId, _) => LocationAsync(db, clinicId),
        ["exports"] = async (db, clinicId, _) =>
        {
            var user = await db.ClinicMemberships.Where(m => m.ClinicId == clinicId).Select(m => m.UserId).FirstAsync();
            var export = new AppointmentExport
            {
                ClinicId = clinicId,
                RequestedByUserId = user,
                FromDate = new DateOnly(2027, 1, 1),
                ToDate = new DateOnly(2027, 1, 31),
                DownloadTokenHash = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32),
            };
            db.AppointmentExports.Add(export);
            await db.SaveChangesAsync();
            return export.Id;
        },
        ["apps"] = async (db, clinicId, _) =>
        {
            var app = new Core.Apps.ClinicApp
            {
                ClinicId = clinicId,
                ClientId = $"app_{Guid.NewGuid():N}",
                Name = "Matrix app",
                Kind = Core.Apps.AppKinds.Backend,
                Scopes = "system/*.rs",
                CreatedByUserId = await db.ClinicMemberships.Where(m => m.ClinicId == clinicId).Select(m => m.UserId).FirstAsync(),
                CreatedAt = DateTimeOffset.UtcNow,
            };
            db.ClinicApps.Add(app);
            await db.SaveChangesAsync();
            return app.Id;
        },
        ["practitioners"] = (db, clinicId, _) => PractitionerAsync(db, clinicId),
        ["appointment-types"] = (db, clinicId, _) => AppointmentTypeAsync(db, clinicId),
        ["time-off"] = async (db, clinicId, earlier) =>
        {
            var timeOff = new TimeOff
            {
                ClinicId = clinicId,
                PractitionerId = earlier["id"],
                StartsAt = DateTimeOffset.UtcNow.AddDays(30),
                EndsAt = DateTimeOffset.UtcNow.AddDays(31),
            };
            db.TimeOff.Add(timeOff);
            await db.SaveChangesAsync();
            return timeOff.Id;
        },
        ["appointments"] = (db, clinicId, _) => AppointmentAsync(db, clinicId),
        ["appointment-series"] = async (db, clinicId, _) =>
        {
            var series = new AppointmentSeries
            {
                ClinicId = clinicId,
                PatientId = await PatientAsync(db, clinicId),
                PractitionerId = await PractitionerAsync(db, clinicId),
                AppointmentTypeId = await AppointmentTypeAsync(db, clinicId),
                IntervalWeeks = 1,
                Occurrences = 2,
                FirstStartsAt = DateTimeOffset.UtcNow.AddDays(40),
            };
            db.AppointmentSeries.Add(series);
            await db.SaveChangesAsync();
            return series.Id;
        },
        ["waitlist"] = async (db, clinicId, _) =>
        {
            var entry = new WaitlistEntry
            {
                ClinicId = clinicId,
                PatientId = await PatientAsync(db, clinicId),
                PractitionerId = await PractitionerAsync(db, clinicId),
                AppointmentTypeId = await AppointmentTypeAsync(db, clinicId),
                FromDate = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(1)),
                ToDate = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(10)),
            };
            db.WaitlistEntries.Add(entry);
            await db.SaveChangesAsync();
            return entry.Id;
        },
        ["encounters"] = (db, clinicId, earlier) => RecordAsync(db, author => new Encounter
        {
            ClinicId = clinicId,
            PatientId = earlier["patientId"],
            ClinicianUserId = author,
            StartedAt = DateTimeOffset.UtcNow,
        }),
        // Signed, so that no caller is refused for not being its author: edits answer 428/409 instead.
        ["notes"] = (db, clinicId, earlier) => RecordAsync(db, author =>
        {
            var note = ClinicalNote.Draft(clinicId, earlier["patientId"], author, null, NoteKinds.Progress, Encryption.Encrypt("Matrix note")!, DateTimeOffset.UtcNow);
            note.TrySign(DateTimeOffset.UtcNow);
            return note;
        }),
        ["allergies"] = (db, clinicId, earlier) => RecordAsync(db, author => new Allergy
        {
            ClinicId = clinicId,
            PatientId = earlier["patientId"],
            Substance = "Penicillin",
            Severity = "severe",
            RecordedByUserId = author,
        }),
        ["medications"] = (db, clinicId, earlier) => RecordAsync(db, author => new Medication
        {
            ClinicId = clinicId,
            PatientId = earlier["patientId"],
            Drug = "Metformin",
            Dose = "500 mg",
            Route = "oral",
            Frequency = "twice daily",
            StartDate = new DateOnly(2026, 1, 1),
            PrescriberUserId = author,
        }),
        ["problems"] = (db, clinicId, earlier) => RecordAsync(db, author => new ProblemListItem
        {
            ClinicId = clinicId,
            PatientId = earlier["patientId"],
            Condition = "Type 2 diabetes mellitus",
            Icd10Code = "E11.9",
            RecordedByUserId = author,
        }),
    };

    public static async Task<Guid> LocationAsync(HealthcareDbContext db, Guid clinicId)
    {
        var location = new Location { ClinicId = clinicId, Name = $"Site {Guid.NewGuid():N}" };
        db.Locations.Add(location);
        await db.SaveChangesAsync();
        return location.Id;
    }

    public static async Task<Guid> PractitionerAsync(HealthcareDbContext db, Guid clinicId)
    {
        var practitioner = new Practitioner { ClinicId = clinicId, DisplayName = "Dr Matrix", LicenceNumber = "LIC-1", Specialties = ["general-practice"] };
        db.Practitioners.Add(practitioner);
        await db.SaveChangesAsync();
        return practitioner.Id;
    }

    public static async Task<Guid> AppointmentTypeAsync(HealthcareDbContext db, Guid clinicId)
    {
        var type = new AppointmentType { ClinicId = clinicId, Name = $"Visit {Guid.NewGuid():N}", Mode = VisitModes.Video, DurationMinutes = 30 };
        db.AppointmentTypes.Add(type);
        await db.SaveChangesAsync();
        return type.Id;
    }

    public static async Task<Guid> AppointmentAsync(HealthcareDbContext db, Guid clinicId) =>
        await AppointmentOfAsync(db, clinicId, await PatientAsync(db, clinicId));

    /// <summary>A booked appointment of <paramref name="patientId"/>, with a practitioner of its own, three weeks ahead.</summary>
    public static async Task<Guid> AppointmentOfAsync(HealthcareDbContext db, Guid clinicId, Guid patientId)
    {
        var typeId = await AppointmentTypeAsync(db, clinicId);
        var type = await db.AppointmentTypes.FindAsync(typeId);
        // A distinct minute per call keeps one patient's appointments from overlapping.
        var startsAt = DateTimeOffset.UtcNow.AddDays(20).AddMinutes(45 * Interlocked.Increment(ref _appointments));
        var appointment = Appointment.Book(
            clinicId, await PractitionerAsync(db, clinicId), patientId, type!, null, startsAt, null, DateTimeOffset.UtcNow);
        db.Appointments.Add(appointment);
        await db.SaveChangesAsync();
        return appointment.Id;
    }

    /// <summary>An app authorization the user gave (SMART App Launch), as OpenIddict stores it.</summary>
    public static async Task<Guid> AppAuthorizationOfAsync(HealthcareDbContext db, Guid userId)
    {
        var authorization = new OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreAuthorization<Guid>
        {
            Subject = userId.ToString(),
            Status = OpenIddict.Abstractions.OpenIddictConstants.Statuses.Valid,
            Type = OpenIddict.Abstractions.OpenIddictConstants.AuthorizationTypes.Permanent,
            CreationDate = DateTime.UtcNow,
        };
        db.Add(authorization);
        await db.SaveChangesAsync();
        return authorization.Id;
    }

    public static async Task<Guid> PatientAsync(HealthcareDbContext db, Guid clinicId)
    {
        var patient = new Patient
        {
            ClinicId = clinicId,
            GivenName = "Matrix",
            FamilyName = "Patient",
            Sex = "unknown",
            DateOfBirth = new DateOnly(1990, 1, 1),
        };
        patient.RefreshSearchName();
        db.Patients.Add(patient);
        await db.SaveChangesAsync();
        return patient.Id;
    }

    /// <summary>A record of the patient, written by a clinician made for it.</summary>
    private static async Task<Guid> RecordAsync<T>(HealthcareDbContext db, Func<Guid, T> create)
        where T : class, IPatientRecord
    {
        var author = new User { Email = $"author.{Guid.NewGuid():N}@tests.healthcare.test", DisplayName = "Matrix clinician", PasswordHash = "-" };
        db.Users.Add(author);
        var record = create(author.Id);
        db.Add(record);
        await db.SaveChangesAsync();
        return record.Id;
    }
}
