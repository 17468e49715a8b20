using Npgsql;

namespace Healthcare.Core.Configuration;

/// <summary>
/// Turns DATABASE_URL into an Npgsql connection string. Accepts the URL form
/// (<c>postgresql://user:pass@host:port/db?sslmode=require</c>), also with several hosts as libpq writes them
/// (<c>postgresql://user:pass@host1:5432,host2:5432/db?target_session_attrs=read-write</c>), and Npgsql key-value
/// strings (<c>Host=host1:5432,host2:5432;Target Session Attributes=read-write;...</c>).
/// </summary>
public static class PostgresConnectionString
{
    /// <summary>Parses a value that options validation has already accepted.</summary>
    public static NpgsqlConnectionStringBuilder Parse(string? value) =>
        TryParse(value, out var builder, out var error) ? builder : throw new FormatException($"DATABASE_URL {error}");

    public static bool TryParse(string? value, out NpgsqlConnectionStringBuilder builder, out string error)
    {
        builder = new NpgsqlConnectionStringBuilder();
        error = "";
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "is not set";
            return false;
        }

        value = value.Trim();
        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) ||
            value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return TryParseUrl(value, builder, out error);
        }

        try
        {
            builder.ConnectionString = value;
        }
        catch (ArgumentException)
        {
            // The exception text can echo the value, password included: say what is wrong instead.
            error = "is neither a postgresql:// URL nor a valid key=value connection string";
            return false;
        }

        if (string.IsNullOrEmpty(builder.Host))
        {
            error = "names no host";
            return false;
        }

        return true;
    }

    private static bool TryParseUrl(string value, NpgsqlConnectionStringBuilder builder, out string error)
    {
        error = "";
        // libpq's multi-host form names several servers, host1:port1,host2:port2, which System.Uri does not parse: the
        // list is cut out and the URL parsed with its first host.
        var hosts = SplitHosts(ref value);
        if (hosts is null || !Uri.TryCreate(value, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            error = "is not a valid postgresql:// URL (expected postgresql://user:password@host:port/database)";
            return false;
        }

        if (hosts.Count > 1)
        {
            // Npgsql tries the hosts in order (each with its own port, or Port when it names none) and, with
            // target_session_attrs=read-write, uses the one that accepts writes.
            builder.Host = string.Join(',', hosts);
            builder.Port = 5432;
        }
        else
        {
            builder.Host = uri.Host.Trim('[', ']');
            builder.Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port;
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length == 0)
        {
            error = "names no database (expected postgresql://user:password@host:port/database)";
            return false;
        }

        builder.Database = database;

        if (uri.UserInfo.Length > 0)
        {
            var separator = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(separator < 0 ? uri.UserInfo : uri.UserInfo[..separator]);
            if (separator >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(separator + 1)..]);
            }
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(parts[0]);
            var setting = parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : "";
            if (!TryApplyQueryParameter(builder, key, setting))
            {
                error = $"has an unsupported query parameter '{key}'";
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The hosts of the URL (<c>host[:port]</c> each, one or more separated by commas); a URL of several keeps only
    /// the first in <paramref name="url"/>. Null when an entry is empty or its port is not a number.
    /// </summary>
    private static List<string>? SplitHosts(ref string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal) + 3;
        var end = url.IndexOfAny(['/', '?', '#'], start);
        end = end < 0 ? url.Length : end;
        var authority = url[start..end];
        var at = authority.LastIndexOf('@');
        var list = authority[(at + 1)..];
        if (!list.Contains(',', StringComparison.Ordinal))
        {
            return [list];
        }

        var hosts = list.Split(',').Select(h => h.Trim()).ToList();
        foreach (var host in hosts)
        {
            var colon = host.LastIndexOf(':');
            var hasPort = colon > host.LastIndexOf(']');
            var name = hasPort ? host[..colon] : host;
            if (name.Length == 0 || (hasPort && !ushort.TryParse(host[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture, out _)))
            {
                return null;
            }
        }

        url = string.Concat(url.AsSpan(0, start + at + 1), hosts[0], url.AsSpan(end));
        return hosts;
    }

    private static bool TryApplyQueryParameter(NpgsqlConnectionStringBuilder builder, string key, string value)
    {
        try
        {
            switch (key.ToLowerInvariant())
            {
                // libpq spellings used in URLs, mapped to Npgsql's keywords.
                case "sslmode":
                    builder.SslMode = Enum.Parse<SslMode>(value.Replace("-", "", StringComparison.Ordinal), ignoreCase: true);
                    return true;
                case "connect_timeout":
                    builder.Timeout = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    return true;
                case "application_name":
                    builder.ApplicationName = value;
                    return true;
                case "target_session_attrs":
                    builder.TargetSessionAttributes = value;
                    return true;
                default:
                    builder[key] = value;
                    return true;
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or KeyNotFoundException)
        {
            return false;
        }
    }
}
