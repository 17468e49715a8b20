using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Healthcare.Api.Features.Identity;
using Healthcare.Testing;
using Npgsql;

namespace Healthcare.IntegrationTests.Platform;

/// <summary>The migrator and the demo seeder as <c>make run</c> calls them, then a login with the printed credentials.</summary>
public sealed partial class CommandTests : IAsyncLifetime
{
    private string _databaseUrl = "";

    public async Task InitializeAsync() => _databaseUrl = await TestServers.CreateDatabaseAsync(nameof(CommandTests));

    public Task DisposeAsync() => TestServers.DropDatabaseAsync(_databaseUrl);

    [Fact]
    public async Task MigrateIsRepeatableAndSeedPrintsCredentialsOnceThatWorkForLogin()
    {
        var settings = HostProcess.ApiSettings(_databaseUrl);
        var owner = HostProcess.AsOwner(settings);
        Assert.Equal(0, await RunAsync(owner, "migrate"));
        Assert.Equal(0, await RunAsync(owner, "migrate"));
        var credentialsFile = Path.Combine(Path.GetTempPath(), $"hb-demo-{Guid.NewGuid():N}.txt");

        var (firstExit, firstOutput) = await RunWithOutputAsync(owner, "seed", "--credentials-file", credentialsFile);
        var (secondExit, secondOutput) = await RunWithOutputAsync(owner, "seed");

        Assert.Equal(0, firstExit);
        Assert.Equal(0, secondExit);
        var accounts = AccountLine().Matches(firstOutput).ToDictionary(m => m.Groups["role"].Value, m => (m.Groups["email"].Value, m.Groups["password"].Value));
        Assert.Equal(["clinic_admin", "doctor", "patient", "receptionist", "super_admin"], accounts.Keys.Order());
        Assert.Empty(AccountLine().Matches(secondOutput));
        Assert.Contains("already present", secondOutput, StringComparison.Ordinal);
        Assert.Contains(accounts["doctor"].Item2, await File.ReadAllTextAsync(credentialsFile), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(credentialsFile));
        File.Delete(credentialsFile);
        Assert.Equal(5L, await ScalarAsync("SELECT count(*) FROM users"));
        // The clinic is filled once: a second seed adds nothing.
        Assert.Equal(3L, await ScalarAsync("SELECT count(*) FROM practitioners"));
        Assert.Equal(20L, await ScalarAsync("SELECT count(*) FROM patients"));
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM patients WHERE user_id IS NOT NULL"));
        Assert.InRange(await ScalarAsync("SELECT count(*) FROM appointments"), 60L, 100L);
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM patients WHERE national_id_encrypted NOT LIKE 'v1.%'"));
        Assert.Equal(7L, await ScalarAsync("SELECT count(*) FROM clinical_notes WHERE signed_at IS NOT NULL AND body_encrypted LIKE 'v1.%'"));
        Assert.Equal(7L, await ScalarAsync("SELECT count(*) FROM medications"));

        await using var api = await HostProcess.StartServingAsync(RepositoryPaths.ApiDll, settings);
        using var http = new HttpClient { BaseAddress = api.BaseAddress };
        var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { email = accounts["doctor"].Item1, password = accounts["doctor"].Item2 });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var token = await login.Content.ReadFromJsonAsync<TokenResponse>();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token!.AccessToken);
        var me = await http.GetFromJsonAsync<MeResponse>("/api/v1/me");
        Assert.Equal("doctor", Assert.Single(me!.Memberships).Role);
        Assert.Equal("Demo Clinic", me.Memberships[0].ClinicName);
        var week = await http.GetAsync($"/api/v1/clinics/{me.Memberships[0].ClinicId}/appointments?limit=100");
        Assert.Equal(HttpStatusCode.OK, week.StatusCode);
    }

    [Fact]
    public async Task SeedIsRefusedInProduction()
    {
        var settings = HostProcess.AsOwner(HostProcess.ApiSettings(_databaseUrl));
        Assert.Equal(0, await RunAsync(settings, "migrate"));
        settings["DOTNET_ENVIRONMENT"] = "Production";

        var (exit, _) = await RunWithOutputAsync(settings, "seed");

        Assert.Equal(1, exit);
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM users"));
    }

    [Fact]
    public async Task UnknownCommandIsAUsageError()
    {
        await using var process = HostProcess.Start(RepositoryPaths.ApiDll, HostProcess.ApiSettings(_databaseUrl), "frobnicate");

        Assert.Equal(64, await process.WaitForExitAsync());
        Assert.Contains("unknown command", string.Join('\n', process.StandardError), StringComparison.Ordinal);
    }

    private static async Task<int> RunAsync(Dictionary<string, string?> settings, params string[] arguments) =>
        (await RunWithOutputAsync(settings, arguments)).ExitCode;

    private static async Task<(int ExitCode, string Output)> RunWithOutputAsync(Dictionary<string, string?> settings, params string[] arguments)
    {
        await using var process = HostProcess.Start(RepositoryPaths.ApiDll, settings, arguments);
        var exit = await process.WaitForExitAsync();
        return (exit, string.Join('\n', process.StandardOutput.Concat(process.StandardError)));
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Healthcare.Core.Configuration.PostgresConnectionString.Parse(_databaseUrl).ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [GeneratedRegex(@"^\s+(?<role>[a-z_]+)\s+(?<email>\S+@\S+)\s+(?<password>\S{20,})\s*$", RegexOptions.Multiline)]
    private static partial Regex AccountLine();
}
