using System.ComponentModel.DataAnnotations;
using Healthcare.Api.Platform;
using Healthcare.Core.Records;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Healthcare.Api.Features.Records;

/// <summary>
/// A problem-list entry: the condition in words, optionally its ICD-10 code (E11.9). Leaving <c>status</c> out
/// means active for a new entry and unchanged for an update.
/// </summary>
public sealed record ProblemRequest(
    [property: Required, MinLength(1), MaxLength(300)] string Condition,
    [property: MaxLength(16)] string? Icd10Code,
    [property: MaxLength(16), OneOf(typeof(ProblemStatus))] string? Status,
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
    [property: OneOf(typeof(ProblemStatus))] string Status,
    DateOnly? OnsetDate,
    DateOnly? ResolvedDate,
    Guid RecordedByUserId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The response shape of a problem-list entry.</summary>
public static class ProblemListMapping
{
    public static ProblemDto ToDto(this ProblemListItem p) => new(
        p.Id, p.PatientId, p.Condition, p.Icd10Code, p.Status, p.OnsetDate, p.ResolvedDate, p.RecordedByUserId, p.CreatedAt, p.UpdatedAt);
}
