using Healthcare.Api.Features.Patients;

namespace Healthcare.Api.Features.Records;

/// <summary>An appointment still to come (booked, held or checked in).</summary>
public sealed record UpcomingAppointmentDto(
    Guid Id, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Status, string Mode, Guid PractitionerId, string? PractitionerName, Guid? LocationId);

/// <summary>
/// What a clinician needs at a glance: demographics, active problems, active allergies, current medications,
/// the latest vital sign of each kind and the appointments to come.
/// </summary>
public sealed record PatientSummaryDto(
    PatientDto Patient,
    IReadOnlyList<ProblemDto> ActiveProblems,
    IReadOnlyList<AllergyDto> Allergies,
    IReadOnlyList<MedicationDto> CurrentMedications,
    IReadOnlyList<VitalDto> LatestVitals,
    IReadOnlyList<UpcomingAppointmentDto> UpcomingAppointments);

/// <summary>A patient record linked to the signed-in account.</summary>
public sealed record MyPatientRecordDto(Guid PatientId, Guid ClinicId, string ClinicName, string GivenName, string FamilyName, DateOnly DateOfBirth);

internal static class RecordRules
{
    public const int MaxNoteLength = 50_000;

    /// <summary>Devices' clocks differ a little; a time this far ahead still counts as now.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);
}
