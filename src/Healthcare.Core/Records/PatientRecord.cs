namespace Healthcare.Core.Records;

/// <summary>A row of a patient's clinical record; every query of one is scoped by clinic and patient.</summary>
public interface IPatientRecord
{
    Guid Id { get; }

    Guid ClinicId { get; }

    Guid PatientId { get; }
}

/// <summary>Helpers for the records schema.</summary>
internal static class RecordSql
{
    /// <summary>SQL list for check constraints: ('a', 'b', ...).</summary>
    public static string In(IEnumerable<string> values) => $"({string.Join(", ", values.Select(v => $"'{v}'"))})";
}
