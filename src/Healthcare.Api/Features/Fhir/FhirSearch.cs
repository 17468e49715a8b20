using System.Globalization;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Primitives;

namespace Healthcare.Api.Features.Fhir;

/// <summary>
/// The common part of FHIR searches: parameters checked against what the interaction supports (unknown ones are
/// refused unless the client sends <c>Prefer: handling=lenient</c>), <c>_count</c>, keyset paging with
/// <c>Bundle.link</c> next, and the <c>searchset</c> bundle.
/// </summary>
public static class FhirSearch
{
    public const int DefaultCount = 50;
    public const int MaxCount = 200;

    /// <summary>The parameter that carries the keyset position in a next link.</summary>
    public const string Cursor = "_cursor";

    /// <summary>Parameters every search accepts beside its own.</summary>
    public static readonly string[] Common = ["_count", Cursor, "_format"];

    /// <summary>Refuses unknown parameters (unless lenient) and a bad <c>_count</c>; otherwise gives the page size.</summary>
    public static IResult? Check(HttpContext http, IReadOnlyCollection<string> supported, out int count)
    {
        count = DefaultCount;
        var lenient = IsLenient(http);
        foreach (var (name, _) in http.Request.Query)
        {
            var bare = name.Split(':')[0];
            if (!lenient && !supported.Contains(bare) && !Common.Contains(bare))
            {
                return FhirResponses.Invalid(name, $"The search parameter '{name}' is not supported here (send Prefer: handling=lenient to ignore it).");
            }
        }

        if (http.Request.Query["_count"] is { Count: > 0 } value)
        {
            if (!int.TryParse(value[0], NumberStyles.None, CultureInfo.InvariantCulture, out count) || count < 1)
            {
                return FhirResponses.Invalid("_count", "_count must be a positive whole number.");
            }

            count = Math.Min(count, MaxCount);
        }

        if (http.Request.Query[Cursor] is { Count: > 0 } cursor && !Guid.TryParse(cursor[0], out _) && !long.TryParse(cursor[0], out _))
        {
            return FhirResponses.Invalid(Cursor, "The paging position is not valid; follow the bundle's links.");
        }

        return null;
    }

    /// <summary>Whether the client asked for unknown parameters to be ignored (<c>Prefer: handling=lenient</c>).</summary>
    public static bool IsLenient(HttpContext http) =>
        http.Request.Headers["Prefer"].Any(p => p?.Contains("handling=lenient", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>The id after which the page starts, from a next link.</summary>
    public static Guid? After(HttpContext http) => Guid.TryParse(http.Request.Query[Cursor].FirstOrDefault(), out var id) ? id : null;

    /// <summary>The row number after which the page starts, for resources numbered rather than identified by a GUID.</summary>
    public static long? AfterNumber(HttpContext http) => long.TryParse(http.Request.Query[Cursor].FirstOrDefault(), out var n) ? n : null;

    /// <summary>The server's FHIR base as the client reached it.</summary>
    public static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{FhirApi.Base}";

    /// <summary>
    /// A searchset bundle of <paramref name="matches"/> (one more than the page was read to tell whether there is a
    /// next page) and the resources they include.
    /// </summary>
    public static Bundle Page<T>(HttpContext http, List<T> matches, int count, Func<T, Guid> idOf, Func<T, Resource> toFhir, IEnumerable<Resource>? included = null) =>
        Page(http, matches, count, m => idOf(m).ToString(), toFhir, included);

    /// <summary>As above, with the keyset position of a match given as text.</summary>
    public static Bundle Page<T>(HttpContext http, List<T> matches, int count, Func<T, string> positionOf, Func<T, Resource> toFhir, IEnumerable<Resource>? included = null)
    {
        var baseUrl = BaseUrl(http);
        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Meta = new Meta { LastUpdated = DateTimeOffset.UtcNow } };
        bundle.Link.Add(new Bundle.LinkComponent { Relation = "self", Url = Link(http, baseUrl, null) });
        if (matches.Count > count)
        {
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = Link(http, baseUrl, positionOf(matches[count - 1])) });
        }

        foreach (var match in matches.Take(count))
        {
            var resource = toFhir(match);
            bundle.Entry.Add(Entry(baseUrl, resource, Bundle.SearchEntryMode.Match));
        }

        foreach (var resource in included ?? [])
        {
            bundle.Entry.Add(Entry(baseUrl, resource, Bundle.SearchEntryMode.Include));
        }

        return bundle;
    }

    /// <summary>A date search value with its prefix (<c>ge2026-01-01</c>), as the range of instants it stands for.</summary>
    public static bool TryParseDate(string value, out string prefix, out DateTimeOffset from, out DateTimeOffset to)
    {
        prefix = value.Length > 2 && char.IsLetter(value[0]) ? value[..2] : "eq";
        var date = char.IsLetter(value[0]) ? value[2..] : value;
        from = to = default;
        if (prefix is not ("eq" or "ge" or "gt" or "le" or "lt"))
        {
            return false;
        }

        if (DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            to = from.AddDays(1);
            return true;
        }

        if (DateTimeOffset.TryParse(date, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant) && date.Contains('T'))
        {
            from = instant.ToUniversalTime();
            to = from.AddTicks(1);
            return true;
        }

        return false;
    }

    /// <summary>The id of a reference parameter's value: <c>Patient/{id}</c> or a bare id.</summary>
    public static bool TryReference(string value, string resourceType, out Guid id)
    {
        var slash = value.LastIndexOf('/');
        var type = slash > 0 ? value[..slash] : resourceType;
        type = type[(type.LastIndexOf('/') + 1)..];
        return Guid.TryParse(slash >= 0 ? value[(slash + 1)..] : value, out id) && type == resourceType;
    }

    /// <summary>The comma-separated values of every occurrence of a parameter.</summary>
    public static IEnumerable<string> Values(StringValues values) =>
        values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static Bundle.EntryComponent Entry(string baseUrl, Resource resource, Bundle.SearchEntryMode mode) => new()
    {
        FullUrl = $"{baseUrl}/{resource.TypeName}/{resource.Id}",
        Resource = resource,
        Search = new Bundle.SearchComponent { Mode = mode },
    };

    private static string Link(HttpContext http, string baseUrl, string? after)
    {
        var query = http.Request.Query.Where(p => p.Key != Cursor)
            .SelectMany(p => p.Value.Select(v => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(v ?? "")}"))
            .ToList();
        if (after is not null)
        {
            query.Add($"{Cursor}={Uri.EscapeDataString(after)}");
        }

        var path = http.Request.Path.Value![FhirApi.Base.Length..];
        return query.Count == 0 ? baseUrl + path : $"{baseUrl}{path}?{string.Join('&', query)}";
    }
}
