using Healthcare.ServiceDefaults.Hosting;
using Microsoft.Extensions.Options;

namespace Healthcare.Api.Platform;

/// <summary>
/// What serving in Production needs beyond settings that are merely valid: TLS, either in the API or at a proxy
/// it names, and keys that were not made by the local development script. Checked only when serving, so that
/// the one-shot commands (migrate, verify-audit) keep running wherever their settings suffice.
/// </summary>
internal static class ProductionSettings
{
    public static void Check(WebApplication app)
    {
        if (!app.Environment.IsProduction())
        {
            return;
        }

        var failures = new List<string>();
        var http = app.Services.GetRequiredService<IOptions<HttpServerOptions>>().Value;
        if (http.HttpsPort is null && http.TrustedProxyEntries.Length == 0)
        {
            failures.Add("in Production set TRUSTED_PROXIES (the proxy that terminates TLS) or HTTPS_PORT with TLS_CERT_PATH and TLS_KEY_PATH");
        }

        // devops/scripts/local/run.sh names what it generates "<date>-local" (signing) and "local1" (encryption).
        var keysDirectory = app.Configuration["JWT_SIGNING_KEYS_DIR"];
        if (Directory.Exists(keysDirectory) &&
            Directory.GetFiles(keysDirectory, "*.pem").Select(Path.GetFileNameWithoutExtension).FirstOrDefault(IsDevelopmentKeyId) is { } signingKey)
        {
            failures.Add($"JWT_SIGNING_KEYS_DIR holds '{signingKey}', a key made for local development; in Production use keys made for it");
        }

        var encryptionKeyIds = (app.Configuration["DATA_ENCRYPTION_KEYS"] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(entry => entry.Split(':')[0]);
        if (encryptionKeyIds.FirstOrDefault(IsDevelopmentKeyId) is { } encryptionKey)
        {
            failures.Add($"DATA_ENCRYPTION_KEYS has key '{encryptionKey}', made for local development; in Production use keys made for it");
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException("Production", typeof(HttpServerOptions), failures);
        }
    }

    private static bool IsDevelopmentKeyId(string? id) =>
        id is not null && (id.EndsWith("-local", StringComparison.OrdinalIgnoreCase) || id.StartsWith("local", StringComparison.OrdinalIgnoreCase));
}
