using System.Net;
using System.Security.Cryptography;
using Healthcare.ServiceDefaults.Hosting;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Security;

/// <summary>
/// In Production the API refuses to serve without TLS (in the API or at a named proxy) or with keys made for
/// local development, with one line naming the setting; with neither problem it serves.
/// </summary>
public sealed class ProductionStartTests
{
    [Fact]
    public async Task ProductionWithoutTlsOrATrustedProxyRefusesToStart()
    {
        var line = await RefusalAsync(ProductionSettings());

        Assert.Contains("TRUSTED_PROXIES", line, StringComparison.Ordinal);
        Assert.Contains("HTTPS_PORT", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProductionWithALocalDevelopmentSigningKeyRefusesToStart()
    {
        var settings = ProductionSettings();
        settings["TRUSTED_PROXIES"] = "10.0.0.0/8";
        settings["JWT_SIGNING_KEYS_DIR"] = TestKeys.CreateSigningKeysDirectory("20261130-local");

        var line = await RefusalAsync(settings);

        Assert.Contains("JWT_SIGNING_KEYS_DIR holds '20261130-local'", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProductionWithALocalDevelopmentEncryptionKeyRefusesToStartWithoutPrintingTheKey()
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var settings = ProductionSettings();
        settings["TRUSTED_PROXIES"] = "10.0.0.0/8";
        settings["DATA_ENCRYPTION_KEYS"] = $"local1:{key}";

        var line = await RefusalAsync(settings);

        Assert.Contains("DATA_ENCRYPTION_KEYS has key 'local1'", line, StringComparison.Ordinal);
        Assert.DoesNotContain(key, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProductionBehindATrustedProxyWithItsOwnKeysServes()
    {
        var database = await TestServers.CreateDatabaseAsync(nameof(ProductionStartTests));
        try
        {
            await TestServers.MigrateAsync(database);
            var settings = HostProcess.ApiSettings(database);
            settings["DOTNET_ENVIRONMENT"] = "Production";
            settings["TRUSTED_PROXIES"] = "10.0.0.0/8";

            await using var api = await HostProcess.StartServingAsync(RepositoryPaths.ApiDll, settings);
            using var client = new HttpClient { BaseAddress = api.BaseAddress };

            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        }
        finally
        {
            await TestServers.DropDatabaseAsync(database);
        }
    }

    /// <summary>Working settings in Production, but for an unreachable database: the check comes before any connection.</summary>
    private static Dictionary<string, string?> ProductionSettings()
    {
        var settings = HostProcess.ApiSettings(TestServers.UnreachablePostgresUrl);
        settings["DOTNET_ENVIRONMENT"] = "Production";
        return settings;
    }

    private static async Task<string> RefusalAsync(Dictionary<string, string?> settings)
    {
        await using var api = HostProcess.Start(RepositoryPaths.ApiDll, settings);

        Assert.Equal(StartupGuard.ConfigurationErrorExitCode, await api.WaitForExitAsync());
        var line = Assert.Single(api.StandardError, l => l.Length > 0);
        Assert.StartsWith("configuration error: ", line, StringComparison.Ordinal);
        return line;
    }
}
