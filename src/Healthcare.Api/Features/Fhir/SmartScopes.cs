using System.Security.Claims;

namespace Healthcare.Api.Features.Fhir;

/// <summary>
/// The SMART on FHIR scopes a token carries in its <c>scope</c> claim, v2 (<c>patient/Observation.rs</c>,
/// <c>user/*.cruds</c>) and v1 (<c>patient/*.read</c>). A token without the claim (the first-party sign-in) is
/// limited by its roles alone; a token with it gets the intersection of both. <c>patient/</c> scopes reach only
/// the caller's own patient compartment, <c>user/</c> and <c>system/</c> scopes what the caller's roles reach.
/// </summary>
public sealed class SmartScopes
{
    public const string Claim = "scope";

    private readonly List<Scope> _scopes;

    private SmartScopes(List<Scope> scopes) => _scopes = scopes;

    /// <summary>The token's scopes, or null when it has no <c>scope</c> claim.</summary>
    public static SmartScopes? Of(ClaimsPrincipal user) =>
        user.FindFirst(Claim)?.Value is { } value ? Parse(value) : null;

    public static SmartScopes Parse(string value)
    {
        var scopes = new List<Scope>();
        foreach (var token in value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (TryParse(token, out var scope))
            {
                scopes.Add(scope);
            }
        }

        return new SmartScopes(scopes);
    }

    /// <summary>
    /// Whether some scope grants <paramref name="interaction"/> (one of <c>c r u d s</c>) on the resource type, and
    /// whether every scope that does is a <c>patient/</c> scope (the caller's own compartment only).
    /// </summary>
    public bool Allows(string resourceType, char interaction, out bool patientOnly)
    {
        var any = false;
        patientOnly = true;
        foreach (var scope in _scopes)
        {
            if ((scope.ResourceType == "*" || scope.ResourceType == resourceType) && scope.Interactions.Contains(interaction))
            {
                any = true;
                patientOnly &= scope.Context == "patient";
            }
        }

        patientOnly &= any;
        return any;
    }

    /// <summary>The context (<c>patient</c>, <c>user</c> or <c>system</c>) of a SMART resource scope; null for anything else.</summary>
    public static string? ContextOf(string token) => TryParse(token, out var scope) ? scope.Context : null;

    /// <summary>Whether a SMART resource scope grants reading and searching only.</summary>
    public static bool IsReadOnly(string token) => TryParse(token, out var scope) && scope.Interactions.All("rs".Contains);

    private static bool TryParse(string token, out Scope scope)
    {
        scope = default;
        var slash = token.IndexOf('/');
        var dot = token.LastIndexOf('.');
        if (slash <= 0 || dot <= slash + 1 || dot == token.Length - 1)
        {
            return false;
        }

        var context = token[..slash];
        if (context is not ("patient" or "user" or "system"))
        {
            return false;
        }

        var resourceType = token[(slash + 1)..dot];
        var interactions = token[(dot + 1)..] switch
        {
            "read" => "rs",
            "write" => "cud",
            "*" => "cruds",
            var v2 when v2.Length <= 5 && v2.All("cruds".Contains) && IsOrdered(v2) => v2,
            _ => null,
        };
        if (interactions is null)
        {
            return false;
        }

        scope = new Scope(context, resourceType, interactions);
        return true;
    }

    // SMART v2 writes the letters in the order c r u d s; anything else is not a scope.
    private static bool IsOrdered(string letters) =>
        letters.Select(c => "cruds".IndexOf(c)).Zip(letters.Skip(1).Select(c => "cruds".IndexOf(c))).All(p => p.First < p.Second);

    private readonly record struct Scope(string Context, string ResourceType, string Interactions);
}
