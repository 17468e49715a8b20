using Healthcare.Core.Clinics;
using Healthcare.Core.Patients;
using Healthcare.Core.Practitioners;
using Healthcare.Core.Scheduling;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace Healthcare.IntegrationTests.Scheduling;

/// <summary>
/// A clinic in New York with one location, one practitioner working every day 08:00-18:00, a 30-minute
/// in-person visit type with a 10-minute buffer, and some patients.
/// </summary>
internal sealed record ClinicSetup(Guid ClinicId, Guid LocationId, Guid PractitionerId, Guid TypeId, Guid[] PatientIds)
{
    public static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];

    public static async Task<ClinicSetup> CreateAsync(ApiFactory api, int patients = 3, Clinic? existing = null)
    {
        var clinic = existing ?? await api.CreateClinicAsync();
        return await api.WithDbAsync(db => SeedAsync(db, clinic, patients));
    }

    /// <summary>The same set-up straight into the database at <paramref name="databaseUrl"/>, for tests that run API processes.</summary>
    public static async Task<ClinicSetup> CreateAsync(string databaseUrl, int patients = 3, Guid? clinicId = null)
    {
        await using var db = TestServers.OpenDbContext(databaseUrl);
        var clinic = clinicId is { } id ? await db.Clinics.SingleAsync(c => c.Id == id) : new Clinic { Name = $"Clinic {Guid.NewGuid():N}", TimeZone = "America/New_York" };
        if (clinicId is null)
        {
            db.Clinics.Add(clinic);
        }

        return await SeedAsync(db, clinic, patients);
    }

    private static async Task<ClinicSetup> SeedAsync(Healthcare.Core.Data.HealthcareDbContext db, Clinic clinic, int patients)
    {
        var location = new Location { ClinicId = clinic.Id, Name = $"Main {Guid.NewGuid():N}" };
        var practitioner = new Practitioner
        {
            ClinicId = clinic.Id,
            DisplayName = "Dr Grey",
            LicenceNumber = "NY-123",
            Specialties = ["cardiology"],
            LocationIds = [location.Id],
        };
        var type = new AppointmentType { ClinicId = clinic.Id, Name = $"Consultation {Guid.NewGuid():N}", Mode = VisitModes.InPerson, DurationMinutes = 30, BufferMinutes = 10 };
        db.Locations.Add(location);
        db.Practitioners.Add(practitioner);
        db.AppointmentTypes.Add(type);
        db.WorkingHours.AddRange(Enum.GetValues<DayOfWeek>().Select(day => new WorkingHours
        {
            ClinicId = clinic.Id,
            PractitionerId = practitioner.Id,
            LocationId = location.Id,
            Day = day,
            Starts = new TimeOnly(8, 0),
            Ends = new TimeOnly(18, 0),
        }));
        var ids = new List<Guid>();
        for (var i = 0; i < patients; i++)
        {
            var patient = new Patient
            {
                ClinicId = clinic.Id,
                GivenName = $"Pat{i}",
                FamilyName = "Ient",
                Sex = "unknown",
                DateOfBirth = new DateOnly(1980, 1, 1).AddDays(i),
            };
            patient.RefreshSearchName();
            db.Patients.Add(patient);
            ids.Add(patient.Id);
        }

        await db.SaveChangesAsync();
        return new ClinicSetup(clinic.Id, location.Id, practitioner.Id, type.Id, [.. ids]);
    }

    /// <summary>A clinic-local time <paramref name="days"/> days from today, as an offset date-time.</summary>
    public static DateTimeOffset Local(int days, int hour, int minute = 0)
    {
        var today = SystemClock.Instance.GetCurrentInstant().InZone(NewYork).Date;
        return NewYork.AtStrictly(today.PlusDays(days) + new LocalTime(hour, minute)).ToDateTimeOffset();
    }

    /// <summary>Outbox messages of <paramref name="kind"/> about one appointment (payloads are JSON text).</summary>
    public static async Task<List<Healthcare.Core.Messaging.OutboxMessage>> OutboxAsync(ApiFactory api, string kind, Guid appointmentId) =>
        (await api.WithDbAsync(db => db.OutboxMessages.Where(m => m.Kind == kind).ToListAsync()))
            .Where(m => m.Payload.Contains(appointmentId.ToString(), StringComparison.Ordinal))
            .ToList();

    public object Booking(DateTimeOffset startsAt, int patient = 0) => new
    {
        patientId = PatientIds[patient],
        practitionerId = PractitionerId,
        appointmentTypeId = TypeId,
        startsAt,
    };
}
