using Healthcare.Core.Data;
using Healthcare.Core.Practitioners;
using Healthcare.Core.Scheduling;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Healthcare.Api.Features.Scheduling;

/// <summary>
/// What a booking must know before it inserts, read in one round trip inside the request's transaction: whether the
/// practitioner and the patient belong to the clinic, the visit type, the practitioner's working hours, whether an
/// absence overlaps the visit, and whether any of the practitioner's waitlist holds has lapsed. Two prepared
/// statements in one batch replace the six queries EF Core would send one after another.
/// </summary>
public sealed record BookingChecks(
    bool PractitionerFound, bool PatientFound, AppointmentType? Type, IReadOnlyList<WorkingHours> Hours, bool Absent, bool LapsedHolds)
{
    private const string Facts = """
        SELECT EXISTS (SELECT 1 FROM practitioners p WHERE p.id = $1 AND p.clinic_id = $2 AND (p.is_active OR NOT $5)),
               EXISTS (SELECT 1 FROM patients x WHERE x.id = $3 AND x.clinic_id = $2),
               t.id, t.name, t.mode, t.duration_minutes, t.buffer_minutes, t.created_at,
               EXISTS (SELECT 1 FROM time_off o
                        WHERE o.practitioner_id = $1 AND o.starts_at < $6 + make_interval(mins => t.duration_minutes) AND o.ends_at > $6),
               EXISTS (SELECT 1 FROM appointments a WHERE a.status = 'held' AND a.hold_expires_at <= $7 AND a.practitioner_id = $1)
          FROM (SELECT 1) AS one
          LEFT JOIN appointment_types t ON t.id = $4 AND t.clinic_id = $2 AND (t.is_active OR NOT $5)
        """;

    private const string Shifts = """
        SELECT id, location_id, day, starts, ends FROM working_hours WHERE practitioner_id = $1 AND ($2::uuid IS NULL OR location_id = $2)
        """;

    /// <summary>Reads the facts for a booking of <paramref name="patientId"/> at <paramref name="startsAt"/>.</summary>
    public static async Task<BookingChecks> ReadAsync(
        HealthcareDbContext db, Guid clinicId, Guid practitionerId, Guid patientId, Guid appointmentTypeId, Guid? locationId,
        DateTimeOffset startsAt, DateTimeOffset now, bool activeOnly, CancellationToken cancellationToken)
    {
        return await db.RunAsync(
            async (connection, transaction) =>
            {
                await using var batch = new NpgsqlBatch(connection, transaction);
                var facts = new NpgsqlBatchCommand(Facts);
                facts.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = practitionerId });
                facts.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = clinicId });
                facts.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = patientId });
                facts.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = appointmentTypeId });
                facts.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = activeOnly });
                facts.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = startsAt.ToUniversalTime() });
                facts.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now.ToUniversalTime() });
                var shifts = new NpgsqlBatchCommand(Shifts);
                shifts.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = practitionerId });
                shifts.Parameters.Add(new NpgsqlParameter<Guid?> { TypedValue = locationId, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
                batch.BatchCommands.Add(facts);
                batch.BatchCommands.Add(shifts);

                await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
                await reader.ReadAsync(cancellationToken);
                var type = reader.IsDBNull(2) ? null : new AppointmentType
                {
                    Id = reader.GetGuid(2),
                    ClinicId = clinicId,
                    Name = reader.GetString(3),
                    Mode = reader.GetString(4),
                    DurationMinutes = reader.GetInt32(5),
                    BufferMinutes = reader.GetInt32(6),
                    CreatedAt = reader.GetFieldValue<DateTimeOffset>(7),
                };
                var (practitionerFound, patientFound) = (reader.GetBoolean(0), reader.GetBoolean(1));
                var (absent, lapsedHolds) = (reader.GetBoolean(8), reader.GetBoolean(9));

                await reader.NextResultAsync(cancellationToken);
                var hours = new List<WorkingHours>();
                while (await reader.ReadAsync(cancellationToken))
                {
                    hours.Add(new WorkingHours
                    {
                        Id = reader.GetGuid(0),
                        ClinicId = clinicId,
                        PractitionerId = practitionerId,
                        LocationId = reader.GetGuid(1),
                        Day = (DayOfWeek)reader.GetInt32(2),
                        Starts = reader.GetFieldValue<TimeOnly>(3),
                        Ends = reader.GetFieldValue<TimeOnly>(4),
                    });
                }

                return new BookingChecks(practitionerFound, patientFound, type, hours, absent, lapsedHolds);
            },
            cancellationToken);
    }
}
