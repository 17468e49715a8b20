using Healthcare.ServiceDefaults.Hosting;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Platform;

/// <summary>A bad setting stops the real process with one line naming the variable.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("DATABASE_URL", null, "DATABASE_URL is not set")]
    [InlineData("DATABASE_URL", "postgresql://user:hunter2@/nodb", "DATABASE_URL is not a valid postgresql:// URL")]
    [InlineData("REDIS_URL", null, "REDIS_URL is not set")]
    [InlineData("JWT_SIGNING_KEYS_DIR", "/nonexistent/keys", "JWT_SIGNING_KEYS_DIR names a directory that does not exist")]
    [InlineData("JWT_SIGNING_KEYS_DIR", null, "JWT_SIGNING_KEYS_DIR is not set")]
    [InlineData("DB_POOL_MAX", "lots", "DB_POOL_MAX must be a whole number")]
    [InlineData("DB_POOL_MAX", "0", "DB_POOL_MAX must be between 1 and 1000")]
    [InlineData("DB_AUTO_PREPARE", "-1", "DB_AUTO_PREPARE must be between 0 and 1000")]
    [InlineData("DATABASE_LISTEN_URL", "postgresql://user:hunter2@/nodb", "DATABASE_LISTEN_URL is not a valid postgresql:// URL")]
    [InlineData("LOG_LEVEL", "chatty", "LOG_LEVEL must be one of")]
    [InlineData("HTTPS_PORT", "8443", "TLS_CERT_PATH must be set when HTTPS_PORT is set")]
    [InlineData("CORS_ALLOWED_ORIGINS", "*", "CORS_ALLOWED_ORIGINS has '*'")]
    [InlineData("TRUSTED_PROXIES", "10.0.0.0/33", "TRUSTED_PROXIES has '10.0.0.0/33'")]
    public async Task ApiStopsWithOneLineNamingTheVariable(string variable, string? value, string expected)
    {
        var settings = HostProcess.ApiSettings("postgresql://user:hunter2@127.0.0.1:1/db");
        settings[variable] = value;
        if (value is null)
        {
            settings.Remove(variable);
        }

        await using var api = HostProcess.Start(RepositoryPaths.ApiDll, settings);
        var exitCode = await api.WaitForExitAsync();

        Assert.Equal(StartupGuard.ConfigurationErrorExitCode, exitCode);
        var line = Assert.Single(api.StandardError, l => l.Length > 0);
        Assert.StartsWith("configuration error: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", string.Join('\n', api.StandardError.Concat(api.StandardOutput)), StringComparison.Ordinal);
        Assert.DoesNotContain(api.StandardOutput, l => l.Contains("\"@l\":\"Error\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MigratorValidatesSettingsToo()
    {
        var settings = HostProcess.ApiSettings("");
        settings.Remove("DATABASE_URL");

        await using var migrate = HostProcess.Start(RepositoryPaths.ApiDll, HostProcess.AsOwner(settings), "migrate");

        Assert.Equal(StartupGuard.ConfigurationErrorExitCode, await migrate.WaitForExitAsync());
        Assert.Contains("DATABASE_URL is not set", Assert.Single(migrate.StandardError, l => l.Length > 0), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerStopsWithOneLineNamingTheVariable()
    {
        var settings = HostProcess.ApiSettings("postgresql://u:p@127.0.0.1:1/db");
        settings.Remove("REDIS_URL");
        settings["LISTEN_ADDRESS"] = "localhost";

        await using var worker = HostProcess.Start(RepositoryPaths.WorkerDll, settings);

        Assert.Equal(StartupGuard.ConfigurationErrorExitCode, await worker.WaitForExitAsync());
        Assert.Equal("configuration error: REDIS_URL is not set", Assert.Single(worker.StandardError, l => l.Length > 0));
    }

    [Fact]
    public async Task SeveralProblemsAreReportedOnTheSameLine()
    {
        var settings = HostProcess.ApiSettings("");
        settings.Remove("DATABASE_URL");
        settings["LOG_LEVEL"] = "loud";

        await using var api = HostProcess.Start(RepositoryPaths.ApiDll, settings);

        Assert.Equal(StartupGuard.ConfigurationErrorExitCode, await api.WaitForExitAsync());
        var line = Assert.Single(api.StandardError, l => l.Length > 0);
        Assert.Contains("DATABASE_URL", line, StringComparison.Ordinal);
        Assert.Contains("LOG_LEVEL", line, StringComparison.Ordinal);
    }
}
