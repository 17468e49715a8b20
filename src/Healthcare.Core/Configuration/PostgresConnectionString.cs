using Npgsql;

namespace Healthcare.Core.Configuration;

/// <summary>
/// Turns DATABASE_URL into an Npgsql connection string. Accepts the URL form
/// (<c>postgresql://user:pass@host:port/db?sslmode=require</c>) and Npgsql key-value strings.
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
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            error = "is not a valid postgresql:// URL (expected postgresql://user:password@host:port/database)";
            return false;
        }

        builder.Host = uri.Host.Trim('[', ']');
        builder.Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port;

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
