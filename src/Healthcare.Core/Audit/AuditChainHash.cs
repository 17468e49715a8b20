using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Healthcare.Core.Audit;

/// <summary>
/// A row's link in its audit chain, computed in the application: SHA-256 over the row's canonical text followed by
/// the previous row's hash. The canonical text is byte for byte what the database's <c>audit_events_canonical()</c>
/// gives (a <c>jsonb</c> array printed by PostgreSQL), so <c>audit_events_verify()</c> checks rows hashed here and
/// rows hashed by the insert trigger the same way.
/// </summary>
public static class AuditChainHash
{
    /// <summary>The hash of the row with this id, chain and time, given the previous row's hash (null: first of its chain).</summary>
    public static byte[] Of(long id, Guid chainId, DateTimeOffset occurredAt, AuditEntry entry, string? userAgent, byte[]? previous)
    {
        var canonical = Encoding.UTF8.GetBytes(Canonical(id, chainId, occurredAt, entry, userAgent));
        var input = new byte[canonical.Length + (previous?.Length ?? 0)];
        canonical.CopyTo(input, 0);
        previous?.CopyTo(input, canonical.Length);
        return SHA256.HashData(input);
    }

    /// <summary>The time as the database stores it: whole microseconds.</summary>
    public static DateTimeOffset Stored(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);

    /// <summary>PostgreSQL's text of <c>jsonb_build_array(...)</c> over the row's columns, in the function's order.</summary>
    public static string Canonical(long id, Guid chainId, DateTimeOffset occurredAt, AuditEntry entry, string? userAgent)
    {
        var text = new StringBuilder(256);
        text.Append('[').Append(id.ToString(CultureInfo.InvariantCulture));
        String(text, chainId.ToString());
        String(text, Stored(occurredAt).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        String(text, entry.UserId?.ToString());
        String(text, entry.UserRole);
        String(text, entry.ClinicId?.ToString());
        String(text, entry.Action);
        String(text, entry.ResourceType);
        String(text, entry.ResourceId);
        String(text, entry.PatientId?.ToString());
        String(text, entry.Outcome);
        String(text, entry.IpAddress);
        String(text, userAgent);
        String(text, entry.RequestId);
        String(text, entry.Reason);
        return text.Append(']').ToString();
    }

    // An element after the first: ", " then null or the string escaped as PostgreSQL's escape_json() does.
    private static void String(StringBuilder text, string? value)
    {
        text.Append(", ");
        if (value is null)
        {
            text.Append("null");
            return;
        }

        text.Append('"');
        foreach (var c in value)
        {
            var escaped = c switch
            {
                '\b' => "\\b",
                '\f' => "\\f",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '"' => "\\\"",
                '\\' => "\\\\",
                < ' ' => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
                _ => null,
            };
            if (escaped is null)
            {
                text.Append(c);
            }
            else
            {
                text.Append(escaped);
            }
        }

        text.Append('"');
    }
}
