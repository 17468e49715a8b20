using System.Net;
using Healthcare.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Healthcare.ServiceDefaults.Hosting;

/// <summary>Kestrel endpoints, limits and CORS, read from the environment variables named on each property.</summary>
public sealed class HttpServerOptions
{
    /// <summary><c>any</c> (all interfaces), <c>localhost</c>, or an IP address.</summary>
    [ConfigurationKeyName("LISTEN_ADDRESS")]
    public string ListenAddress { get; set; } = "any";

    /// <summary>Plain HTTP/1.1, for local use and for proxies that terminate TLS.</summary>
    [ConfigurationKeyName("HTTP_PORT")]
    public int HttpPort { get; set; } = 8088;

    /// <summary>HTTP/1.1 and HTTP/2 over TLS (ALPN); needs TLS_CERT_PATH and TLS_KEY_PATH.</summary>
    [ConfigurationKeyName("HTTPS_PORT")]
    public int? HttpsPort { get; set; }

    /// <summary>Cleartext HTTP/2 (prior knowledge) for internal callers.</summary>
    [ConfigurationKeyName("H2C_PORT")]
    public int? H2cPort { get; set; }

    /// <summary>Plain-HTTP port that serves only <c>/metrics</c>; unset, <c>/metrics</c> is on <c>HTTP_PORT</c>.</summary>
    [ConfigurationKeyName("METRICS_PORT")]
    public int? MetricsPort { get; set; }

    /// <summary>PEM certificate (chain) for HTTPS_PORT.</summary>
    [ConfigurationKeyName("TLS_CERT_PATH")]
    public string? TlsCertPath { get; set; }

    /// <summary>PEM private key for HTTPS_PORT. Secret.</summary>
    [ConfigurationKeyName("TLS_KEY_PATH")]
    public string? TlsKeyPath { get; set; }

    [ConfigurationKeyName("MAX_REQUEST_BODY_BYTES")]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    [ConfigurationKeyName("REQUEST_TIMEOUT_SECONDS")]
    public int RequestTimeoutSeconds { get; set; } = 30;

    [ConfigurationKeyName("KEEPALIVE_TIMEOUT_SECONDS")]
    public int KeepAliveTimeoutSeconds { get; set; } = 120;

    [ConfigurationKeyName("REQUEST_HEADERS_TIMEOUT_SECONDS")]
    public int RequestHeadersTimeoutSeconds { get; set; } = 15;

    /// <summary>
    /// After SIGTERM, seconds during which <c>/health/ready</c> answers 503 while the listener still serves, so load
    /// balancers stop sending before connections are refused. 0 stops listening at once.
    /// </summary>
    [ConfigurationKeyName("SHUTDOWN_DRAIN_SECONDS")]
    public int ShutdownDrainSeconds { get; set; }

    /// <summary>Comma-separated origins allowed to call the API from a browser; none by default.</summary>
    [ConfigurationKeyName("CORS_ALLOWED_ORIGINS")]
    public string? CorsAllowedOrigins { get; set; }

    /// <summary>
    /// Comma-separated IP addresses and CIDR ranges of the reverse proxies whose X-Forwarded-For and
    /// X-Forwarded-Proto are believed; empty trusts nobody, so a client cannot fake its address.
    /// </summary>
    [ConfigurationKeyName("TRUSTED_PROXIES")]
    public string? TrustedProxies { get; set; }

    public string[] TrustedProxyEntries =>
        (TrustedProxies ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string[] CorsOrigins =>
        (CorsAllowedOrigins ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public IPAddress? ListenIp => ListenAddresses.Parse(ListenAddress);
}

internal sealed class HttpServerOptionsValidator : IValidateOptions<HttpServerOptions>
{
    public ValidateOptionsResult Validate(string? name, HttpServerOptions options)
    {
        var failures = new List<string>();
        if (!ListenAddresses.IsValid(options.ListenAddress))
        {
            failures.Add(ListenAddresses.Invalid);
        }

        Settings.RequireRange(failures, "HTTP_PORT", options.HttpPort, 1, 65535);
        if (options.HttpsPort is { } https)
        {
            Settings.RequireRange(failures, "HTTPS_PORT", https, 1, 65535);
            RequireFile(failures, "TLS_CERT_PATH", options.TlsCertPath);
            RequireFile(failures, "TLS_KEY_PATH", options.TlsKeyPath);
        }

        if (options.H2cPort is { } h2c)
        {
            Settings.RequireRange(failures, "H2C_PORT", h2c, 1, 65535);
        }

        if (options.MetricsPort is { } metrics)
        {
            Settings.RequireRange(failures, "METRICS_PORT", metrics, 1, 65535);
        }

        var ports = new[] { (int?)options.HttpPort, options.HttpsPort, options.H2cPort, options.MetricsPort }.OfType<int>().ToList();
        if (ports.Count != ports.Distinct().Count())
        {
            failures.Add("HTTP_PORT, HTTPS_PORT, H2C_PORT and METRICS_PORT must differ");
        }

        if (options.MaxRequestBodyBytes is < 1024 or > 100 * 1024 * 1024)
        {
            failures.Add("MAX_REQUEST_BODY_BYTES must be between 1024 and 104857600");
        }

        Settings.RequireRange(failures, "REQUEST_TIMEOUT_SECONDS", options.RequestTimeoutSeconds, 1, 600);
        Settings.RequireRange(failures, "KEEPALIVE_TIMEOUT_SECONDS", options.KeepAliveTimeoutSeconds, 1, 3600);
        Settings.RequireRange(failures, "REQUEST_HEADERS_TIMEOUT_SECONDS", options.RequestHeadersTimeoutSeconds, 1, 300);
        Settings.RequireRange(failures, "SHUTDOWN_DRAIN_SECONDS", options.ShutdownDrainSeconds, 0, 300);

        foreach (var origin in options.CorsOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") ||
                uri.AbsolutePath != "/" || origin.EndsWith('/'))
            {
                failures.Add($"CORS_ALLOWED_ORIGINS has '{origin}', which is not an origin like https://app.example.com");
            }
        }

        foreach (var entry in options.TrustedProxyEntries)
        {
            if (!TrustedProxy.TryParse(entry, out _))
            {
                failures.Add($"TRUSTED_PROXIES has '{entry}', which is not an IP address or a CIDR range like 10.0.0.0/8");
            }
        }

        return Settings.Result(failures);
    }

    private static void RequireFile(List<string> failures, string variable, string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            failures.Add($"{variable} must be set when HTTPS_PORT is set");
        }
        else if (!File.Exists(path))
        {
            failures.Add($"{variable} names a file that does not exist");
        }
    }
}

/// <summary>One TRUSTED_PROXIES entry: a single address (as a /32 or /128 network) or a CIDR range.</summary>
public static class TrustedProxy
{
    public static bool TryParse(string entry, out IPNetwork network)
    {
        if (entry.Contains('/'))
        {
            return IPNetwork.TryParse(entry, out network);
        }

        if (IPAddress.TryParse(entry, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        network = default;
        return false;
    }
}
