using System.Reflection;

namespace Healthcare.Api.Platform;

/// <summary>
/// A string that takes one of a fixed set of codes, read from the public static <c>All</c> list of
/// <paramref name="codes"/> (such as <c>AllergySeverity</c>), published as the schema's <c>enum</c> on requests
/// and answers alike (<see cref="SchemaRules"/>). Requests are checked against the same list by the endpoint's
/// validation ("Use one of: ..."), inside the audited part of the request.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class OneOfAttribute(Type codes) : Attribute
{
    public IReadOnlyList<string> Values { get; } = ReadCodes(codes);

    private static IReadOnlyList<string> ReadCodes(Type codes)
    {
        const BindingFlags Static = BindingFlags.Public | BindingFlags.Static;
        var all = codes.GetField("All", Static)?.GetValue(null) ?? codes.GetProperty("All", Static)?.GetValue(null);
        return all as IReadOnlyList<string>
            ?? throw new ArgumentException($"{codes.Name} has no public static All list of codes.", nameof(codes));
    }
}
