using Healthcare.Api.Platform;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Healthcare.Api.Features.Identity.Authentication;

/// <summary>
/// The one answer to an attempt to raise one's own access, or that of an account one controls (threat model,
/// "Self-grant"): 403 problem details, and the audit row of the attempt says why it was refused.
/// </summary>
public static class SelfGrants
{
    /// <summary>The audit reason of a refused self-grant.</summary>
    public const string Reason = "self-grant";

    public static ProblemHttpResult Refused(Auditor audit, string title, string detail)
    {
        audit.Reason = Reason;
        return TypedResults.Problem(
            title: title,
            detail: detail,
            statusCode: StatusCodes.Status403Forbidden,
            extensions: new Dictionary<string, object?> { ["selfGrant"] = true });
    }
}
