using System.ComponentModel.DataAnnotations;
using Healthcare.Api.Platform;
using Healthcare.Core.Records;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Healthcare.Api.Features.Records;

/// <summary>An allergy or intolerance. Leaving <c>status</c> out means active for a new entry and unchanged for an update.</summary>
public sealed record AllergyRequest(
    [property: Required, MinLength(1), MaxLength(200)] string Substance,
    [property: MaxLength(500)] string? Reaction,
    [property: Required, MaxLength(16), OneOf(typeof(AllergySeverity))] string Severity,
    [property: MaxLength(16), OneOf(typeof(AllergyStatus))] string? Status,
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
    [property: OneOf(typeof(AllergySeverity))] string Severity,
    [property: OneOf(typeof(AllergyStatus))] string Status,
    DateOnly? OnsetDate,
    Guid RecordedByUserId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The response shape of an allergy.</summary>
public static class AllergyMapping
{
    public static AllergyDto ToDto(this Allergy a) => new(
        a.Id, a.PatientId, a.Substance, a.Reaction, a.Severity, a.Status, a.OnsetDate, a.RecordedByUserId, a.CreatedAt, a.UpdatedAt);
}
