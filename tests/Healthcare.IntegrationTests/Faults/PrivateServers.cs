using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Healthcare.Testing;
using Npgsql;

namespace Healthcare.IntegrationTests.Faults;

/// <summary>
/// A PostgreSQL or Redis server of one test's own, started and stopped through devops/scripts/lib/servers.sh
/// (by pid, in a temporary directory), so that a test may take it down without touching the shared test servers.
/// </summary>
public abstract class PrivateServer : IAsyncDisposable
{
    private readonly string _directory;

    protected PrivateServer(string kind)
    {
        _directory = System.IO.Directory.CreateTempSubdirectory($"hb-fault-{kind}-").FullName;
        // PostgreSQL runs as the postgres user when the tests run as root and must reach its data directory.
        File.SetUnixFileMode(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
    }

    public int Port { get; } = FreePort.Next();

    protected string Password { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    protected string Directory => _directory;

    public abstract Task StartAsync();

    public abstract Task StopAsync();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Runs one servers.sh function; a failure throws with the script's own message.</summary>
    protected static async Task ServersAsync(IReadOnlyDictionary<string, string> environment, params string[] command)
    {
        var script = Path.Combine(RepositoryPaths.Root, "devops", "scripts", "lib", "servers.sh");
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(". \"$1\"; shift; \"$@\"");
        info.ArgumentList.Add("bash");
        info.ArgumentList.Add(script);
        foreach (var argument in command)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} failed ({process.ExitCode}): {await output}{await error}");
        }
    }
}

/// <summary>A private PostgreSQL cluster with one migrated database.</summary>
public sealed class PrivatePostgres() : PrivateServer("pg")
{
    public string DatabaseUrl => $"postgresql://postgres:{Password}@127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/hb_faults";

    public static async Task<PrivatePostgres> StartWithDatabaseAsync()
    {
        var server = new PrivatePostgres();
        try
        {
            await server.StartAndCreateDatabaseAsync();
        }
        catch
        {
            // A half-started server would outlive the test: stop it and remove its directory.
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    private async Task StartAndCreateDatabaseAsync()
    {
        await StartAsync();
        var admin = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Password = Password,
            Database = "postgres",
            Pooling = false,
        };
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE hb_faults", connection);
            await create.ExecuteNonQueryAsync();
        }

        await TestServers.MigrateAsync(DatabaseUrl);
        NpgsqlConnection.ClearAllPools();
    }

    public override Task StartAsync() =>
        ServersAsync(new Dictionary<string, string> { ["HB_PG_SUPERUSER_PASSWORD"] = Password }, "hb_pg_start", Directory, Port.ToString(CultureInfo.InvariantCulture));

    public override Task StopAsync() => ServersAsync(new Dictionary<string, string>(), "hb_pg_stop", Directory);
}

/// <summary>A private Redis with a password.</summary>
public sealed class PrivateRedis() : PrivateServer("redis")
{
    public string Url => $"redis://:{Password}@127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public static async Task<PrivateRedis> StartNewAsync()
    {
        var server = new PrivateRedis();
        try
        {
            await server.StartAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public override Task StartAsync() =>
        ServersAsync(new Dictionary<string, string> { ["HB_REDIS_PASSWORD"] = Password }, "hb_redis_start", Directory, Port.ToString(CultureInfo.InvariantCulture));

    public override Task StopAsync() => ServersAsync(new Dictionary<string, string>(), "hb_redis_stop", Directory);
}
