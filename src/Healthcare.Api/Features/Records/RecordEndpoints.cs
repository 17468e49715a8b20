using Healthcare.Api.Platform;
using Healthcare.Core.Records;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Records;

/// <summary>The shapes that the record types' endpoints share: read one record, replace one, check a filter or a link.</summary>
internal static class RecordEndpoints
{
    internal static readonly string[] StatusFilter = ["status"];

    /// <summary>A single record of the patient, with its version as the ETag.</summary>
    internal static async Task<Results<Ok<TDto>, NotFound>> GetAsync<T, TDto>(
        PatientScope scope, Guid id, Func<T, uint> version, Func<T, Task<TDto>> toDto, Func<IQueryable<T>, IQueryable<T>>? include = null)
        where T : class, IPatientRecord
    {
        var query = scope.Records<T>().AsNoTracking();
        var record = await (include?.Invoke(query) ?? query).SingleOrDefaultAsync(r => r.Id == id, scope.CancellationToken);
        if (record is null)
        {
            return TypedResults.NotFound();
        }

        scope.Http.SetETag(version(record));
        return TypedResults.Ok(await toDto(record));
    }

    /// <summary>
    /// Replaces a record under optimistic concurrency: If-Match must name the current version (428 without, 412
    /// when stale, including a change that lands between our read and our write).
    /// <paramref name="apply"/> validates and changes the record, or answers why not.
    /// </summary>
    internal static Task<Results<Ok<TDto>, NotFound, ValidationProblem, ProblemHttpResult>> ReplaceAsync<T, TDto>(
        PatientScope scope, Guid id, string what, Func<T, uint> version, Func<T, ScopedPatient, DateTimeOffset, IResult?> apply, Func<T, Task<TDto>> toDto,
        Guid? encounterId = null)
        where T : class, IPatientRecord =>
        ConcurrencyCheckedUpdates.UpdateAsync(
            scope.Http, scope.Db, what,
            load: () => scope.Records<T>().SingleOrDefaultAsync(r => r.Id == id, scope.CancellationToken),
            version: version,
            apply: async record => apply(record, scope.Patient(), scope.Clock.GetUtcNow()) ??
                (await HasEncounterAsync(scope, encounterId) ? null : UnknownEncounter()),
            answer: toDto);

    internal static Task<bool> HasEncounterAsync(PatientScope scope, Guid? encounterId) =>
        encounterId is { } id ? scope.Records<Encounter>().AnyAsync(e => e.Id == id, scope.CancellationToken) : Task.FromResult(true);

    internal static ValidationProblem? UnknownStatus(string? status, IReadOnlyList<string> all) =>
        status is null || all.Contains(status) ? null : Problems.Field("status", $"Use one of: {string.Join(", ", all)}.");

    internal static ValidationProblem UnknownEncounter() =>
        Problems.Field("encounterId", "This patient has no encounter with this id in this clinic.");


    internal static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
