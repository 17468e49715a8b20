using System.ComponentModel.DataAnnotations;
using Healthcare.Api.Features.Patients;
using Healthcare.Api.Platform;
using Healthcare.Core.Records;
using Healthcare.Core.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Healthcare.Api.Features.Records;

/// <summary>Opens an encounter, for an appointment of this patient or without one (walk-in, telephone).</summary>
public sealed record EncounterRequest(Guid? AppointmentId, [property: MaxLength(500)] string? Reason, DateTimeOffset? StartedAt)
{
    public ValidationProblem? Validate(DateTimeOffset now) =>
        StartedAt > now + RecordRules.ClockSkew ? Problems.Field("startedAt", "An encounter cannot start in the future.") : null;
}

/// <summary>Closes (finished, cancelled) or annotates an encounter; a closed encounter keeps its status.</summary>
public sealed record EncounterUpdateRequest(
    [property: Required, MaxLength(16)] string Status, [property: MaxLength(500)] string? Reason, DateTimeOffset? EndedAt)
{
    public ValidationProblem? Validate(DateTimeOffset now)
    {
        if (!EncounterStatus.All.Contains(Status))
        {
            return Problems.Field("status", $"Use one of: {string.Join(", ", EncounterStatus.All)}.");
        }

        if (EndedAt is not null && Status == EncounterStatus.InProgress)
        {
            return Problems.Field("endedAt", "An encounter in progress has no end; leave endedAt out.");
        }

        return EndedAt > now + RecordRules.ClockSkew ? Problems.Field("endedAt", "An encounter cannot end in the future.") : null;
    }
}

public sealed record EncounterDto(
    Guid Id,
    Guid PatientId,
    Guid? AppointmentId,
    Guid ClinicianUserId,
    string? ClinicianName,
    string Status,
    string? Reason,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>A note's content: its kind, its body (stored encrypted) and optionally the encounter it documents.</summary>
public sealed record NoteRequest(
    [property: Required, MaxLength(32)] string Kind,
    [property: Required, MinLength(1), MaxLength(RecordRules.MaxNoteLength)] string Body,
    Guid? EncounterId)
{
    public ValidationProblem? Validate()
    {
        if (!NoteKinds.All.Contains(Kind))
        {
            return Problems.Field("kind", $"Use one of: {string.Join(", ", NoteKinds.All)}.");
        }

        return string.IsNullOrWhiteSpace(Body) ? Problems.Field("body", "The note is empty.") : null;
    }
}

/// <summary>A correction or addition appended to a signed note.</summary>
public sealed record AmendmentRequest([property: Required, MinLength(1), MaxLength(RecordRules.MaxNoteLength)] string Body)
{
    public ValidationProblem? Validate() => string.IsNullOrWhiteSpace(Body) ? Problems.Field("body", "The amendment is empty.") : null;
}

/// <summary>
/// A clinical note with its amendments, oldest first. A draft has no <c>signedAt</c>; only its author edits and
/// signs it. The patient sees the note once it is signed and <c>released</c>.
/// </summary>
public sealed record NoteDto(
    Guid Id,
    Guid PatientId,
    Guid? EncounterId,
    string Kind,
    string Body,
    Guid AuthorUserId,
    string? AuthorName,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? SignedAt,
    bool Released,
    DateTimeOffset? ReleasedAt,
    IReadOnlyList<AmendmentDto> Amendments);

public sealed record AmendmentDto(Guid Id, Guid NoteId, string Body, Guid AuthorUserId, string? AuthorName, DateTimeOffset CreatedAt);

/// <summary>
/// Vital signs measured together; give any of them. Each value is in the unit its name says; blood pressure
/// needs both values. Out-of-range values are refused naming the field.
/// </summary>
public sealed record VitalsRequest(
    DateTimeOffset? MeasuredAt,
    Guid? EncounterId,
    decimal? SystolicMmHg,
    decimal? DiastolicMmHg,
    decimal? HeartRatePerMin,
    decimal? TemperatureCelsius,
    decimal? Spo2Percent,
    decimal? WeightKg,
    decimal? HeightCm)
{
    public ValidationProblem? Validate(DateTimeOffset now)
    {
        if (MeasuredAt > now + RecordRules.ClockSkew)
        {
            return Problems.Field("measuredAt", "A measurement cannot be in the future.");
        }

        if (SystolicMmHg is null != DiastolicMmHg is null)
        {
            return Problems.Field(SystolicMmHg is null ? "systolicMmHg" : "diastolicMmHg", "Blood pressure needs both the systolic and the diastolic value.");
        }

        var ranges = new (string Field, decimal? Value, decimal Min, decimal Max, string Unit)[]
        {
            ("systolicMmHg", SystolicMmHg, VitalKinds.BloodPressure.Min, VitalKinds.BloodPressure.Max, "mmHg"),
            ("diastolicMmHg", DiastolicMmHg, VitalKinds.Diastolic.Min, VitalKinds.Diastolic.Max, "mmHg"),
            ("heartRatePerMin", HeartRatePerMin, VitalKinds.HeartRate.Min, VitalKinds.HeartRate.Max, "beats per minute"),
            ("temperatureCelsius", TemperatureCelsius, VitalKinds.Temperature.Min, VitalKinds.Temperature.Max, "°C"),
            ("spo2Percent", Spo2Percent, VitalKinds.OxygenSaturation.Min, VitalKinds.OxygenSaturation.Max, "%"),
            ("weightKg", WeightKg, VitalKinds.Weight.Min, VitalKinds.Weight.Max, "kg"),
            ("heightCm", HeightCm, VitalKinds.Height.Min, VitalKinds.Height.Max, "cm"),
        };
        foreach (var (field, value, min, max, unit) in ranges)
        {
            // The message states the accepted range, never the value sent.
            if (value is { } v && (v < min || v > max || decimal.Round(v, 2) != v))
            {
                return Problems.Field(field, $"Use {min} to {max} {unit}, with at most two decimals.");
            }
        }

        if (DiastolicMmHg >= SystolicMmHg)
        {
            return Problems.Field("diastolicMmHg", "The diastolic pressure must be below the systolic.");
        }

        return Measurements().Count == 0
            ? Problems.Field("$", "Give at least one measurement: systolicMmHg and diastolicMmHg, heartRatePerMin, temperatureCelsius, spo2Percent, weightKg or heightCm.")
            : null;
    }

    public List<(VitalKind Kind, decimal Value, decimal? Diastolic)> Measurements()
    {
        var all = new List<(VitalKind, decimal, decimal?)>();
        if (SystolicMmHg is { } systolic && DiastolicMmHg is { } diastolic)
        {
            all.Add((VitalKinds.BloodPressure, systolic, diastolic));
        }

        foreach (var (kind, value) in new[]
        {
            (VitalKinds.HeartRate, HeartRatePerMin), (VitalKinds.Temperature, TemperatureCelsius), (VitalKinds.OxygenSaturation, Spo2Percent),
            (VitalKinds.Weight, WeightKg), (VitalKinds.Height, HeightCm),
        })
        {
            if (value is { } v)
            {
                all.Add((kind, v, null));
            }
        }

        return all;
    }
}

/// <summary>One measurement; <c>value</c> is the systolic pressure for blood pressure, and <c>diastolic</c> is set only then. Units are UCUM.</summary>
public sealed record VitalDto(
    Guid Id,
    Guid? EncounterId,
    string Kind,
    decimal Value,
    decimal? Diastolic,
    string Unit,
    DateTimeOffset MeasuredAt,
    Guid RecordedByUserId,
    DateTimeOffset CreatedAt);

/// <summary>An allergy or intolerance. Leaving <c>status</c> out means active for a new entry and unchanged for an update.</summary>
public sealed record AllergyRequest(
    [property: Required, MinLength(1), MaxLength(200)] string Substance,
    [property: MaxLength(500)] string? Reaction,
    [property: Required, MaxLength(16)] string Severity,
    [property: MaxLength(16)] string? Status,
    DateOnly? OnsetDate)
{
    public ValidationProblem? Validate(DateOnly today)
    {
        if (string.IsNullOrWhiteSpace(Substance))
        {
            return Problems.Field("substance", "Name the substance.");
        }

        if (!AllergySeverity.All.Contains(Severity))
        {
            return Problems.Field("severity", $"Use one of: {string.Join(", ", AllergySeverity.All)}.");
        }

        if (Status is not null && !AllergyStatus.All.Contains(Status))
        {
            return Problems.Field("status", $"Use one of: {string.Join(", ", AllergyStatus.All)}.");
        }

        return OnsetDate > today ? Problems.Field("onsetDate", "The onset cannot be in the future.") : null;
    }

    public void ApplyTo(Allergy allergy, DateTimeOffset now)
    {
        allergy.Substance = Substance.Trim();
        allergy.Reaction = string.IsNullOrWhiteSpace(Reaction) ? null : Reaction.Trim();
        allergy.Severity = Severity;
        allergy.Status = Status ?? allergy.Status;
        allergy.OnsetDate = OnsetDate;
        allergy.UpdatedAt = now;
    }
}

public sealed record AllergyDto(
    Guid Id,
    Guid PatientId,
    string Substance,
    string? Reaction,
    string Severity,
    string Status,
    DateOnly? OnsetDate,
    Guid RecordedByUserId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// A prescription. <c>startDate</c> defaults to today (clinic time); leaving <c>status</c> out means active for a
/// new prescription and unchanged for an update.
/// </summary>
public sealed record MedicationRequest(
    [property: Required, MinLength(1), MaxLength(200)] string Drug,
    [property: Required, MinLength(1), MaxLength(100)] string Dose,
    [property: Required, MaxLength(16)] string Route,
    [property: Required, MinLength(1), MaxLength(100)] string Frequency,
    [property: MaxLength(1000)] string? Instructions,
    DateOnly? StartDate,
    DateOnly? EndDate,
    [property: MaxLength(16)] string? Status,
    Guid? EncounterId)
{
    public ValidationProblem? Validate()
    {
        foreach (var (field, value) in new[] { ("drug", Drug), ("dose", Dose), ("frequency", Frequency) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                return Problems.Field(field, "This field is required.");
            }
        }

        if (!MedicationRoutes.All.Contains(Route))
        {
            return Problems.Field("route", $"Use one of: {string.Join(", ", MedicationRoutes.All)}.");
        }

        if (Status is not null && !MedicationStatus.All.Contains(Status))
        {
            return Problems.Field("status", $"Use one of: {string.Join(", ", MedicationStatus.All)}.");
        }

        return EndDate < StartDate ? Problems.Field("endDate", "The end date cannot be before the start date.") : null;
    }

    /// <summary>Copies the request onto the prescription; a missing start date becomes <paramref name="defaultStart"/>.</summary>
    public void ApplyTo(Medication medication, DateOnly defaultStart, DateTimeOffset now)
    {
        medication.Drug = Drug.Trim();
        medication.Dose = Dose.Trim();
        medication.Route = Route;
        medication.Frequency = Frequency.Trim();
        medication.Instructions = string.IsNullOrWhiteSpace(Instructions) ? null : Instructions.Trim();
        medication.StartDate = StartDate ?? defaultStart;
        medication.EndDate = EndDate;
        medication.Status = Status ?? medication.Status;
        medication.EncounterId = EncounterId;
        medication.UpdatedAt = now;
    }
}

public sealed record MedicationDto(
    Guid Id,
    Guid PatientId,
    Guid? EncounterId,
    string Drug,
    string Dose,
    string Route,
    string Frequency,
    string? Instructions,
    DateOnly StartDate,
    DateOnly? EndDate,
    string Status,
    Guid PrescriberUserId,
    string? PrescriberName,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>
/// A problem-list entry: the condition in words, optionally its ICD-10 code (E11.9). Leaving <c>status</c> out
/// means active for a new entry and unchanged for an update.
/// </summary>
public sealed record ProblemRequest(
    [property: Required, MinLength(1), MaxLength(300)] string Condition,
    [property: MaxLength(16)] string? Icd10Code,
    [property: MaxLength(16)] string? Status,
    DateOnly? OnsetDate,
    DateOnly? ResolvedDate)
{
    public string? NormalizedIcd10Code => string.IsNullOrWhiteSpace(Icd10Code) ? null : Icd10Code.Trim().ToUpperInvariant();

    public ValidationProblem? Validate(DateOnly today, string currentStatus)
    {
        var status = Status ?? currentStatus;
        if (string.IsNullOrWhiteSpace(Condition))
        {
            return Problems.Field("condition", "Describe the condition.");
        }

        if (NormalizedIcd10Code is { } code && !ProblemListItem.IsIcd10Code(code))
        {
            return Problems.Field("icd10Code", "Use an ICD-10 code such as E11.9: a letter, two characters, then optionally a dot and up to four more.");
        }

        if (!ProblemStatus.All.Contains(status))
        {
            return Problems.Field("status", $"Use one of: {string.Join(", ", ProblemStatus.All)}.");
        }

        if (OnsetDate > today)
        {
            return Problems.Field("onsetDate", "The onset cannot be in the future.");
        }

        if (ResolvedDate is { } resolved && (status != ProblemStatus.Resolved || resolved > today || resolved < OnsetDate))
        {
            return Problems.Field("resolvedDate", "Only a resolved problem has a resolution date, between its onset and today.");
        }

        return null;
    }

    public void ApplyTo(ProblemListItem problem, DateTimeOffset now)
    {
        problem.Condition = Condition.Trim();
        problem.Icd10Code = NormalizedIcd10Code;
        problem.Status = Status ?? problem.Status;
        problem.OnsetDate = OnsetDate;
        problem.ResolvedDate = ResolvedDate;
        problem.UpdatedAt = now;
    }
}

public sealed record ProblemDto(
    Guid Id,
    Guid PatientId,
    string Condition,
    string? Icd10Code,
    string Status,
    DateOnly? OnsetDate,
    DateOnly? ResolvedDate,
    Guid RecordedByUserId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

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

public static class RecordMapping
{
    public static EncounterDto ToDto(this Encounter e, IReadOnlyDictionary<Guid, string> names) => new(
        e.Id, e.PatientId, e.AppointmentId, e.ClinicianUserId, names.GetValueOrDefault(e.ClinicianUserId), e.Status, e.Reason, e.StartedAt,
        e.EndedAt, e.CreatedAt, e.UpdatedAt);

    public static NoteDto ToDto(this ClinicalNote n, FieldEncryption encryption, IReadOnlyDictionary<Guid, string> names) => new(
        n.Id, n.PatientId, n.EncounterId, n.Kind, encryption.Decrypt(n.BodyEncrypted)!, n.AuthorUserId, names.GetValueOrDefault(n.AuthorUserId),
        n.CreatedAt, n.UpdatedAt, n.SignedAt, n.Released, n.ReleasedAt,
        n.Amendments.OrderBy(a => a.Id).Select(a => a.ToDto(encryption, names)).ToList());

    public static AmendmentDto ToDto(this NoteAmendment a, FieldEncryption encryption, IReadOnlyDictionary<Guid, string> names) => new(
        a.Id, a.NoteId, encryption.Decrypt(a.BodyEncrypted)!, a.AuthorUserId, names.GetValueOrDefault(a.AuthorUserId), a.CreatedAt);

    public static VitalDto ToDto(this VitalSign v) => new(
        v.Id, v.EncounterId, v.Kind, v.Value, v.SecondaryValue, v.Unit, v.MeasuredAt, v.RecordedByUserId, v.CreatedAt);

    public static AllergyDto ToDto(this Allergy a) => new(
        a.Id, a.PatientId, a.Substance, a.Reaction, a.Severity, a.Status, a.OnsetDate, a.RecordedByUserId, a.CreatedAt, a.UpdatedAt);

    public static MedicationDto ToDto(this Medication m, IReadOnlyDictionary<Guid, string> names) => new(
        m.Id, m.PatientId, m.EncounterId, m.Drug, m.Dose, m.Route, m.Frequency, m.Instructions, m.StartDate, m.EndDate, m.Status,
        m.PrescriberUserId, names.GetValueOrDefault(m.PrescriberUserId), m.CreatedAt, m.UpdatedAt);

    public static ProblemDto ToDto(this ProblemListItem p) => new(
        p.Id, p.PatientId, p.Condition, p.Icd10Code, p.Status, p.OnsetDate, p.ResolvedDate, p.RecordedByUserId, p.CreatedAt, p.UpdatedAt);
}
