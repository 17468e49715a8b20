using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Healthcare.Api.Platform;

/// <summary>
/// Keyset pagination and strict query strings for list endpoints: <c>limit</c> (1-100, default 20), an opaque
/// <c>cursor</c> from the previous page's <c>next</c>, and 400 for any query parameter the endpoint does not know.
/// </summary>
public static class Paging
{
    public const int MaxLimit = 100;
    public const int DefaultLimit = 20;

    /// <summary>A 400 problem for an unknown query parameter or a bad limit; null when the query is acceptable.</summary>
    public static ValidationProblem? Check(HttpContext http, IReadOnlySet<string> known, int? limit)
    {
        if (http.Request.Query.Keys.FirstOrDefault(k => !known.Contains(k) && k is not ("limit" or "cursor")) is { } unknown)
        {
            return Problems.Field(unknown, $"Unknown query parameter. Use {string.Join(", ", known.Order())}, limit or cursor.");
        }

        return limit is < 1 or > MaxLimit ? Problems.Field("limit", $"Use 1 to {MaxLimit}.") : null;
    }

    /// <summary>An opaque cursor for a (time, id) sort key.</summary>
    public static string Cursor(DateTimeOffset at, Guid id) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{at.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{id:N}"));

    /// <summary>An opaque cursor for lists in id order (UUIDv7 ids sort by creation).</summary>
    public static string Cursor(Guid id) => Cursor(DateTimeOffset.UnixEpoch, id);

    /// <summary>Only base64url characters: the decoder throws, rather than answering false, for anything else.</summary>
    public static bool IsBase64Url(string text) => text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static bool TryReadCursor(string? cursor, out (DateTimeOffset At, Guid Id) position)
    {
        position = default;
        if (string.IsNullOrEmpty(cursor) || cursor.Length > 128 || !IsBase64Url(cursor))
        {
            return false;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            var parts = text.Split(':');
            if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) &&
                ticks <= DateTimeOffset.MaxValue.UtcTicks && Guid.TryParseExact(parts[1], "N", out var id))
            {
                position = (new DateTimeOffset(ticks, TimeSpan.Zero), id);
                return true;
            }
        }
        catch (FormatException)
        {
        }

        return false;
    }

    public static ValidationProblem BadCursor() => Problems.Field("cursor", "Use the cursor from the previous page's next link, unchanged.");

    /// <summary>The link to the next page: this request's URL with the cursor replaced.</summary>
    public static string NextLink(HttpContext http, string cursor)
    {
        var query = http.Request.Query.Where(q => q.Key != "cursor")
            .SelectMany(q => q.Value.Select(v => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(v ?? "")}"))
            .Append($"cursor={cursor}");
        return $"{http.Request.PathBase}{http.Request.Path}?{string.Join('&', query)}";
    }
}

/// <summary>A page of a list: the items and, when there are more, the link to the next page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);
