using Npgsql;

namespace Healthcare.Api.Features.Scheduling;

/// <summary>
/// The busiest read, one appointment by id within a clinic, straight from Npgsql: one prepared statement (the data
/// source prepares it automatically after a few uses) and a reader for the columns the answer needs, without a
/// database context, change tracking or query pipeline. The other appointment reads and every write go through
/// EF Core; this one is measured in the benchmarks (docs/performance.md). <see cref="Utc"/> is the answer with its
/// times in UTC, until <see cref="AppointmentMapping.InZone"/> gives them in the clinic's zone.
/// </summary>
public sealed record AppointmentById(AppointmentDto Utc, uint Version, DateTimeOffset UpdatedAt)
{
    private const string Columns = """
        SELECT id, clinic_id, practitioner_id, patient_id, appointment_type_id, location_id, mode, starts_at, ends_at,
               status, series_id, hold_expires_at, checked_in_at, started_at, completed_at, cancelled_at,
               cancellation_reason, created_at, xmin, updated_at
        FROM appointments
        """;

    private const string InClinic = Columns + " WHERE id = $1 AND clinic_id = $2";

    private const string AnyClinic = Columns + " WHERE id = $1";

    /// <summary>The appointment, or null when there is none with this id in this clinic.</summary>
    public static Task<AppointmentById?> ReadAsync(NpgsqlDataSource database, Guid id, Guid clinicId, CancellationToken cancellationToken)
    {
        var command = database.CreateCommand(InClinic);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = clinicId });
        return ReadAsync(command, cancellationToken);
    }

    /// <summary>The appointment in whichever clinic holds it (the FHIR API checks the clinic against the caller's reach).</summary>
    public static Task<AppointmentById?> ReadAsync(NpgsqlDataSource database, Guid id, CancellationToken cancellationToken)
    {
        var command = database.CreateCommand(AnyClinic);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = id });
        return ReadAsync(command, cancellationToken);
    }

    private static async Task<AppointmentById?> ReadAsync(NpgsqlCommand query, CancellationToken cancellationToken)
    {
        await using var command = query;
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SingleRow, cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var appointment = new AppointmentDto(
            reader.GetGuid(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetGuid(3), reader.GetGuid(4), NullableGuid(reader, 5),
            reader.GetString(6), reader.GetFieldValue<DateTimeOffset>(7), reader.GetFieldValue<DateTimeOffset>(8), reader.GetString(9),
            NullableGuid(reader, 10), NullableTime(reader, 11), NullableTime(reader, 12), NullableTime(reader, 13),
            NullableTime(reader, 14), NullableTime(reader, 15), reader.IsDBNull(16) ? null : reader.GetString(16),
            reader.GetFieldValue<DateTimeOffset>(17));
        return new AppointmentById(appointment, reader.GetFieldValue<uint>(18), reader.GetFieldValue<DateTimeOffset>(19));
    }

    private static Guid? NullableGuid(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetGuid(column);

    private static DateTimeOffset? NullableTime(NpgsqlDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : reader.GetFieldValue<DateTimeOffset>(column);
}
