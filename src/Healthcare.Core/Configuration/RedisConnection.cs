using StackExchange.Redis;

namespace Healthcare.Core.Configuration;

/// <summary>
/// Turns REDIS_URL into StackExchange.Redis options. Accepts <c>redis://[user:password@]host:port[/db]</c>,
/// <c>rediss://</c> for TLS, and StackExchange.Redis configuration strings (<c>host:port,password=...</c>).
/// </summary>
public static class RedisConnection
{
    /// <summary>Parses a value that options validation has already accepted.</summary>
    public static ConfigurationOptions Parse(string? value) =>
        TryParse(value, out var options, out var error) ? options : throw new FormatException($"REDIS_URL {error}");

    public static bool TryParse(string? value, out ConfigurationOptions options, out string error)
    {
        options = new ConfigurationOptions();
        error = "";
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "is not set";
            return false;
        }

        value = value.Trim();
        try
        {
            if (value.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) ||
                value.StartsWith("rediss://", StringComparison.OrdinalIgnoreCase))
            {
                if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
                {
                    error = "is not a valid redis:// URL (expected redis://[:password@]host:port[/db])";
                    return false;
                }

                options.EndPoints.Add(uri.Host.Trim('[', ']'), uri.IsDefaultPort || uri.Port <= 0 ? 6379 : uri.Port);
                options.Ssl = uri.Scheme.Equals("rediss", StringComparison.OrdinalIgnoreCase);
                if (uri.UserInfo.Length > 0)
                {
                    var separator = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
                    var user = Uri.UnescapeDataString(separator < 0 ? uri.UserInfo : uri.UserInfo[..separator]);
                    var password = separator < 0 ? "" : Uri.UnescapeDataString(uri.UserInfo[(separator + 1)..]);
                    if (separator < 0)
                    {
                        // redis://secret@host is the password-only form.
                        (user, password) = ("", user);
                    }

                    options.User = user.Length > 0 ? user : null;
                    options.Password = password.Length > 0 ? password : null;
                }

                var database = uri.AbsolutePath.Trim('/');
                if (database.Length > 0)
                {
                    if (!int.TryParse(database, out var db) || db < 0)
                    {
                        error = "names a database that is not a number";
                        return false;
                    }

                    options.DefaultDatabase = db;
                }
            }
            else
            {
                options = ConfigurationOptions.Parse(value);
                if (options.EndPoints.Count == 0)
                {
                    error = "names no endpoint";
                    return false;
                }
            }
        }
        catch (ArgumentException)
        {
            error = "is neither a redis:// URL nor a valid StackExchange.Redis configuration string";
            return false;
        }

        // The API must start and keep serving while Redis is away; the multiplexer reconnects by itself.
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 2000;
        options.SyncTimeout = 2000;
        options.AsyncTimeout = 2000;
        // While disconnected, commands fail at once instead of queueing until the timeout: every Redis use has a
        // fallback (cache, throttle, live tail), and waiting 2 s per call made each write slow during an outage.
        options.BacklogPolicy = BacklogPolicy.FailFast;
        options.ClientName ??= "healthcare-backend";
        return true;
    }
}
