using System.ComponentModel.DataAnnotations;
using Healthcare.Api.Platform;
using Healthcare.Core.Records;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Healthcare.Api.Features.Records;

/// <summary>
/// A prescription. <c>startDate</c> defaults to today (clinic time); leaving <c>status</c> out means active for a
/// new prescription and unchanged for an update.
/// </summary>
public sealed record MedicationRequest(
    [property: Required, MinLength(1), MaxLength(200)] string Drug,
    [property: Required, MinLength(1), MaxLength(100)] string Dose,
    [property: Required, MaxLength(16), OneOf(typeof(MedicationRoutes))] string Route,
    [property: Required, MinLength(1), MaxLength(100)] string Frequency,
    [property: MaxLength(1000)] string? Instructions,
    DateOnly? StartDate,
    DateOnly? EndDate,
    [property: MaxLength(16), OneOf(typeof(MedicationStatus))] string? Status,
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
    [property: OneOf(typeof(MedicationRoutes))] string Route,
    string Frequency,
    string? Instructions,
    DateOnly StartDate,
    DateOnly? EndDate,
    [property: OneOf(typeof(MedicationStatus))] string Status,
    Guid PrescriberUserId,
    string? PrescriberName,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The response shape of a prescription.</summary>
public static class MedicationMapping
{
    public static MedicationDto ToDto(this Medication m, IReadOnlyDictionary<Guid, string> names) => new(
        m.Id, m.PatientId, m.EncounterId, m.Drug, m.Dose, m.Route, m.Frequency, m.Instructions, m.StartDate, m.EndDate, m.Status,
        m.PrescriberUserId, names.GetValueOrDefault(m.PrescriberUserId), m.CreatedAt, m.UpdatedAt);
}
