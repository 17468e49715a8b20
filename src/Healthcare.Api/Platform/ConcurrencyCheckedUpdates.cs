using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Platform;

/// <summary>
/// The one shape of an update under optimistic concurrency (<see cref="Versioning"/>): If-Match is required (428),
/// the row must exist (404) and still be at the version named (412), the change is applied and saved (a change that
/// lands between our read and our write is a 412 too), and the answer carries the row's new ETag.
/// </summary>
public static class ConcurrencyCheckedUpdates
{
    /// <summary>For an <c>apply</c> that changes the row without refusing.</summary>
    public static readonly Task<IResult?> Applied = Task.FromResult<IResult?>(null);

    /// <summary>
    /// Runs the update in this order: If-Match, <paramref name="validate"/> (rules on the request alone),
    /// <paramref name="load"/>, <paramref name="refuse"/> (what no version can change, such as a signed note), the
    /// version, <paramref name="apply"/> (validates against the row and changes it, or answers why not), the save
    /// (<paramref name="refused"/> turns a refused write into an answer) and <paramref name="answer"/>.
    /// </summary>
    /// <param name="resource">The resource's name in the problem details, e.g. "patient".</param>
    public static async Task<Results<Ok<TDto>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateAsync<T, TDto>(
        HttpContext http,
        DbContext db,
        string resource,
        Func<Task<T?>> load,
        Func<T, uint> version,
        Func<T, Task<IResult?>> apply,
        Func<T, Task<TDto>> answer,
        Func<ValidationProblem?>? validate = null,
        Func<T, ProblemHttpResult?>? refuse = null,
        Func<DbUpdateException, ValidationProblem?>? refused = null)
        where T : class
    {
        if (Versioning.RequireIfMatch(http, resource) is { } missing)
        {
            return missing;
        }

        if (validate?.Invoke() is { } invalid)
        {
            return invalid;
        }

        if (await load() is not { } row)
        {
            return TypedResults.NotFound();
        }

        if (refuse?.Invoke(row) is { } refusal)
        {
            return refusal;
        }

        if (Versioning.IsStale(http, version(row)))
        {
            return Versioning.Stale(resource);
        }

        switch (await apply(row))
        {
            case ValidationProblem problem:
                return problem;
            case ProblemHttpResult problem:
                return problem;
        }

        try
        {
            await db.SaveChangesAsync(http.RequestAborted);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Versioning.Stale(resource);
        }
        catch (DbUpdateException e) when (refused?.Invoke(e) is { } problem)
        {
            return problem;
        }

        http.SetETag(version(row));
        return TypedResults.Ok(await answer(row));
    }
}
