using System.ComponentModel.DataAnnotations;
using Healthcare.Api.Platform;
using Healthcare.Core.Records;
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
    [property: Required, MaxLength(16), OneOf(typeof(EncounterStatus))] string Status, [property: MaxLength(500)] string? Reason, DateTimeOffset? EndedAt)
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
    [property: OneOf(typeof(EncounterStatus))] string Status,
    string? Reason,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The response shape of an encounter.</summary>
public static class EncounterMapping
{
    public static EncounterDto ToDto(this Encounter e, IReadOnlyDictionary<Guid, string> names) => new(
        e.Id, e.PatientId, e.AppointmentId, e.ClinicianUserId, names.GetValueOrDefault(e.ClinicianUserId), e.Status, e.Reason, e.StartedAt,
        e.EndedAt, e.CreatedAt, e.UpdatedAt);
}
