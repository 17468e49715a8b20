using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Serialization;
using Healthcare.Core.Configuration;
using Healthcare.Core.Data;
using Healthcare.Testing;
using Npgsql;

namespace Healthcare.IntegrationTests.Faults;

/// <summary>
/// Two PostgreSQL servers run by Patroni, with a one-member etcd as Patroni's store, all on 127.0.0.1 ports chosen now
/// and inside one temporary directory. Replication is synchronous (<c>synchronous_mode</c>), so a commit is
/// acknowledged only once the standby has it. Patroni and PostgreSQL run as the <c>postgres</c> user when the tests
/// run as root (PostgreSQL refuses root), as devops/scripts/lib/servers.sh does. Every process is stopped by the pid
/// or process group recorded at its start, never by name, also when the start fails half-way.
/// </summary>
public sealed partial class PatroniCluster : IAsyncDisposable
{
    public const string Database = "hb_failover";

    /// <summary>
    /// Patroni's timing, short for a rehearsal: the leader key expires 10 s after the leader's last renewal and each
    /// member runs its loop every 2 s (production keeps Patroni's defaults: ttl 30, loop_wait 10, retry_timeout 10).
    /// Patroni wants loop_wait + 2 x retry_timeout to be at most ttl.
    /// </summary>
    private const string DcsTiming = """
            ttl: 10
            loop_wait: 2
            retry_timeout: 4
        """;

    private readonly string _directory;
    private readonly string _scope = $"hb-{Guid.NewGuid():N}"[..15];
    private readonly string _superuserPassword = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    private readonly string _replicationPassword = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    private readonly int _etcdPort = FreePort.Next();
    private readonly int _etcdPeerPort = FreePort.Next();
    private readonly ConcurrentQueue<string> _etcdOutput = new();
    private readonly HttpClient _rest = new() { Timeout = TimeSpan.FromSeconds(3) };
    private Process? _etcd;

    private PatroniCluster()
    {
        _directory = Directory.CreateTempSubdirectory("hb-failover-").FullName;
        // The postgres user must reach its nodes' directories below this one.
        File.SetUnixFileMode(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        Nodes = [new PatroniNode(this, "node1"), new PatroniNode(this, "node2")];
    }

    public IReadOnlyList<PatroniNode> Nodes { get; }

    private static bool AsRoot => Environment.IsPrivilegedProcess;

    /// <summary>Starts etcd, the first node (it initialises the cluster and leads), then the second as its synchronous standby.</summary>
    public static async Task<PatroniCluster> StartAsync()
    {
        var cluster = new PatroniCluster();
        try
        {
            await cluster.StartServersAsync();
        }
        catch
        {
            // Nothing half-started outlives the test.
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>
    /// The database on whichever server accepts writes: libpq's multi-host URL with every node, which the application's
    /// DATABASE_URL parser turns into Npgsql's Host list with Target Session Attributes=read-write.
    /// </summary>
    public string Url(string user, string password) =>
        $"postgresql://{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password)}@{string.Join(',', Nodes.Select(n => $"127.0.0.1:{Port(n.PostgresPort)}"))}/{Database}?target_session_attrs=read-write";

    /// <summary>The database on one node only, as the superuser (checks after a failover).</summary>
    public string SuperuserUrl(PatroniNode node) => $"postgresql://postgres:{_superuserPassword}@127.0.0.1:{Port(node.PostgresPort)}/{Database}";

    /// <summary>The database on the writable node, as the superuser (test data and checks).</summary>
    public string SuperuserUrl() => Url("postgres", _superuserPassword);

    /// <summary>
    /// Creates the application's roles (their passwords as on the test server, <see cref="TestServers.PasswordOf"/>), its
    /// database owned by <see cref="TestServers.OwnerRole"/>, and migrates it as the owner, as the migrator does in a
    /// deployment. Returns the URL the API uses: the runtime role, on every node, read-write.
    /// </summary>
    public async Task<string> CreateApplicationDatabaseAsync()
    {
        var admin = PostgresConnectionString.Parse(Url("postgres", _superuserPassword).Replace($"/{Database}?", "/postgres?", StringComparison.Ordinal));
        admin.Pooling = false;
        await TestServers.CreateRolesAsync(admin.ConnectionString);
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {Database} OWNER {TestServers.OwnerRole}", connection);
            await create.ExecuteNonQueryAsync();
        }

        await using (var db = TestServers.OpenDbContext(Url(TestServers.OwnerRole, TestServers.PasswordOf(TestServers.OwnerRole))))
        {
            await DatabaseSchema.MigrateAsync(db);
        }

        return Url(TestServers.AppRole, TestServers.PasswordOf(TestServers.AppRole));
    }

    /// <summary>The member Patroni reports as leader (asked of every node that answers), or null when none does.</summary>
    public async Task<PatroniNode?> LeaderAsync()
    {
        foreach (var node in Nodes)
        {
            var members = await node.ClusterAsync();
            if (members?.SingleOrDefault(m => m is { Role: "leader", State: "running" }) is { } leader)
            {
                return Nodes.Single(n => n.Name == leader.Name);
            }
        }

        return null;
    }

    /// <summary>The last lines Patroni and etcd printed (cluster states and roles; no application data).</summary>
    public string Describe() =>
        string.Join('\n', Nodes.Select(n => $"--- patroni {n.Name} ---\n{string.Join('\n', n.Output.TakeLast(25))}")) +
        $"\n--- etcd ---\n{string.Join('\n', _etcdOutput.TakeLast(10))}";

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var node in Nodes)
            {
                await node.StopAsync();
            }

            await StopGroupAsync(_etcd);
        }
        finally
        {
            _rest.Dispose();
            NpgsqlConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private async Task StartServersAsync()
    {
        var pgBin = Environment.GetEnvironmentVariable("TEST_PG_BIN") is { Length: > 0 } bin
            ? bin
            : throw new InvalidOperationException("TEST_PG_BIN is not set. Run the tests with `make test`, which sets it.");
        foreach (var tool in new[] { "patroni", "etcd" })
        {
            if (!(Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, tool))))
            {
                throw new InvalidOperationException(
                    $"{tool} is not installed: run the tests through devops/scripts/ci/test.sh or `make chaos` as root (they install patroni and etcd-server), or `sudo apt-get install patroni etcd-server`.");
            }
        }

        var etcdData = Path.Combine(_directory, "etcd");
        var peer = $"http://127.0.0.1:{Port(_etcdPeerPort)}";
        var client = $"http://127.0.0.1:{Port(_etcdPort)}";
        _etcd = StartGroup(_etcdOutput, "etcd", "--name", "hb", "--data-dir", etcdData,
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", $"hb={peer}", "--initial-cluster-state", "new", "--initial-cluster-token", _scope);
        var health = await Eventually.ReadAsync(async () => await GetStringAsync($"{client}/health"), h => h.Contains("\"true\"", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.True(health.Contains("\"true\"", StringComparison.Ordinal), $"etcd did not report healthy on 127.0.0.1:{_etcdPort} ({health})\n{Describe()}");

        foreach (var node in Nodes)
        {
            await node.WriteConfigurationAsync(pgBin);
        }

        // The first node runs initdb and takes the leader key; the second copies it (pg_basebackup) and follows.
        Nodes[0].Start();
        await WaitForAsync(Nodes[0], "primary", TimeSpan.FromSeconds(60));
        Nodes[1].Start();
        await WaitForAsync(Nodes[1], "sync", TimeSpan.FromSeconds(90));
    }

    /// <summary>Waits until the node's REST API answers 200 to <paramref name="check"/> (primary, replica, sync).</summary>
    public async Task WaitForAsync(PatroniNode node, string check, TimeSpan within)
    {
        var status = await Eventually.ReadAsync(() => node.CheckAsync(check), s => s == 200, within);
        Assert.True(status == 200, $"Patroni {node.Name} did not answer 200 to /{check} within {TestTimeouts.Scaled(within).TotalSeconds:F0} s (last {status})\n{Describe()}");
    }

    private async Task<string> GetStringAsync(string url)
    {
        try
        {
            return await _rest.GetStringAsync(url);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return "";
        }
    }

    /// <summary>
    /// Starts a program through setsid, so that it leads a process group of its own: one signal to the group reaches it
    /// and everything it started (runuser and Patroni), and none of the test run's own processes.
    /// </summary>
    private static Process StartGroup(ConcurrentQueue<string> output, string program, params string[] arguments)
    {
        var info = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The postgres user may not be able to read the test's working directory.
            WorkingDirectory = "/",
        };
        info.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        void Keep(object _, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                output.Enqueue(e.Data);
                while (output.Count > 400 && output.TryDequeue(out string? _))
                {
                }
            }
        }

        process.OutputDataReceived += Keep;
        process.ErrorDataReceived += Keep;
        process.Start();
        StartedProcesses.Track(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>SIGTERM to the group, SIGKILL after a grace period, and the process reaped.</summary>
    private static async Task StopGroupAsync(Process? process)
    {
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            Signals.SendToGroup(process.Id, Signals.Term);
            if (!await Signals.WaitUntilGoneAsync(process.Id, TestTimeouts.Scaled(TimeSpan.FromSeconds(20))))
            {
                Signals.SendToGroup(process.Id, Signals.Kill);
            }
        }

        await StartedProcesses.StopAsync(process);
        process.Dispose();
    }

    public sealed record Member(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("role")] string Role,
        [property: JsonPropertyName("state")] string State,
        [property: JsonPropertyName("timeline")] int? Timeline);

    private sealed record ClusterState([property: JsonPropertyName("members")] List<Member> Members);
}
