using Microsoft.AspNetCore.Http.HttpResults;

namespace Healthcare.Api.Platform;

/// <summary>
/// Optimistic concurrency over HTTP: reads answer an <c>ETag</c> (the row's <c>xmin</c> version); updates must
/// send it back as <c>If-Match</c> (428 without, 412 when someone else changed the row since).
/// </summary>
public static class Versioning
{
    public static string ETag(uint version) => $"\"{version}\"";

    public static void SetETag(this HttpContext http, uint version) => http.Response.Headers.ETag = ETag(version);

    /// <summary>428 when the request has no If-Match; null when it has one.</summary>
    public static ProblemHttpResult? RequireIfMatch(HttpContext http, string resource) =>
        http.Request.Headers.IfMatch.Count == 0
            ? TypedResults.Problem(
                title: "If-Match is required.",
                detail: $"Send the ETag from the last read of this {resource}, so that no one else's change is overwritten.",
                statusCode: StatusCodes.Status428PreconditionRequired)
            : null;

    /// <summary>True when the request sent If-Match and it names another version than <paramref name="version"/>.</summary>
    public static bool IsStale(HttpContext http, uint version) =>
        http.Request.Headers.IfMatch.Count > 0 && http.Request.Headers.IfMatch.ToString() != ETag(version);

    public static ProblemHttpResult Stale(string resource) =>
        TypedResults.Problem(
            title: $"The {resource} has changed since it was read.",
            detail: "Read it again, re-apply the change and send the new ETag as If-Match.",
            statusCode: StatusCodes.Status412PreconditionFailed);
}
