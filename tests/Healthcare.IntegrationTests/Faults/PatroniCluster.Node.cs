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

public sealed partial class PatroniCluster
{
    /// <summary>One Patroni member and the PostgreSQL server it runs.</summary>
    public sealed class PatroniNode(PatroniCluster cluster, string name)
    {
        private readonly ConcurrentQueue<string> _output = new();
        private Process? _patroni;

        public string Name { get; } = name;

        public int PostgresPort { get; } = FreePort.Next();

        public int RestPort { get; } = FreePort.Next();

        public IEnumerable<string> Output => _output;

        private string Directory => Path.Combine(cluster._directory, Name);

        private string DataDirectory => Path.Combine(Directory, "data");

        private string ConfigurationFile => Path.Combine(Directory, "patroni.yml");

        /// <summary>The answer of Patroni's health check <c>GET /{check}</c> on this node (0 when it does not answer).</summary>
        public async Task<int> CheckAsync(string check)
        {
            try
            {
                using var response = await cluster._rest.GetAsync($"http://127.0.0.1:{Port(RestPort)}/{check}");
                return (int)response.StatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return 0;
            }
        }

        /// <summary>The members as this node's Patroni sees them (GET /cluster), or null when it does not answer.</summary>
        public async Task<List<Member>?> ClusterAsync()
        {
            try
            {
                return (await cluster._rest.GetFromJsonAsync<ClusterState>($"http://127.0.0.1:{Port(RestPort)}/cluster"))?.Members;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
            {
                return null;
            }
        }

        /// <summary>
        /// The node dies at once, as when its machine is lost: SIGKILL to Patroni (its process group) and to the
        /// postmaster and every server process under it (Patroni starts the postmaster in a session of its own). No
        /// shutdown checkpoint, no goodbye to the standby; the leader key in etcd expires after the ttl. Returns the
        /// <see cref="Stopwatch.GetTimestamp"/> of the moment the signals went out.
        /// </summary>
        public async Task<long> KillAsync()
        {
            // Everything is looked up first, so that the signals go out back to back.
            var postmaster = PostmasterPid();
            var children = postmaster is { } parent ? Signals.ChildrenOf(parent) : [];
            if (_patroni is { HasExited: false })
            {
                Signals.SendToGroup(_patroni.Id, Signals.Kill);
            }

            if (postmaster is { } pid)
            {
                Signals.Send(pid, Signals.Kill);
            }

            children.ForEach(child => Signals.Send(child, Signals.Kill));
            var killed = Stopwatch.GetTimestamp();
            if (postmaster is { } dead)
            {
                Assert.True(await Signals.WaitUntilGoneAsync(dead, TimeSpan.FromSeconds(10)), $"the postmaster of {Name} (pid {dead}) outlived SIGKILL");
            }

            if (_patroni is not null)
            {
                using var wait = new CancellationTokenSource(TestTimeouts.Scaled(TimeSpan.FromSeconds(10)));
                await _patroni.WaitForExitAsync(wait.Token);
            }

            return killed;
        }

        internal async Task WriteConfigurationAsync(string pgBin)
        {
            System.IO.Directory.CreateDirectory(Directory);
            // synchronous_mode: a commit returns only once the synchronous standby has flushed it, and Patroni promotes
            // only that standby, so no acknowledged commit is lost with the primary. Not strict: once the standby is gone
            // (or promoted, with no standby left), the primary takes writes alone rather than stop; with strict mode and
            // two nodes, the promoted node would refuse every write until the old one came back.
            var configuration = $"""
                scope: {cluster._scope}
                namespace: /hb-failover/
                name: {Name}
                log:
                  level: INFO
                restapi:
                  listen: 127.0.0.1:{Port(RestPort)}
                  connect_address: 127.0.0.1:{Port(RestPort)}
                etcd3:
                  hosts: 127.0.0.1:{Port(cluster._etcdPort)}
                bootstrap:
                  dcs:
                {DcsTiming}
                    maximum_lag_on_failover: 1048576
                    synchronous_mode: true
                    synchronous_mode_strict: false
                    postgresql:
                      use_pg_rewind: false
                      parameters:
                        max_connections: 200
                        max_wal_senders: 5
                        max_replication_slots: 5
                        wal_keep_size: 128MB
                        synchronous_commit: "on"
                  initdb:
                    - encoding: UTF8
                    - locale: C.UTF-8
                postgresql:
                  listen: 127.0.0.1:{Port(PostgresPort)}
                  connect_address: 127.0.0.1:{Port(PostgresPort)}
                  data_dir: {DataDirectory}
                  bin_dir: {pgBin}
                  pgpass: {Path.Combine(Directory, "pgpass")}
                  authentication:
                    superuser:
                      username: postgres
                      password: {cluster._superuserPassword}
                    replication:
                      username: replicator
                      password: {cluster._replicationPassword}
                  parameters:
                    unix_socket_directories: {Directory}
                    shared_buffers: 64MB
                    fsync: "on"
                    logging_collector: "on"
                    log_directory: {Path.Combine(Directory, "log")}
                  pg_hba:
                    - local all all trust
                    - host replication replicator 127.0.0.1/32 scram-sha-256
                    - host all all 127.0.0.1/32 scram-sha-256
                """;
            await File.WriteAllTextAsync(ConfigurationFile, configuration);
            File.SetUnixFileMode(ConfigurationFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.SetUnixFileMode(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (AsRoot)
            {
                using var chown = Process.Start("chown", ["-R", "postgres:postgres", Directory]);
                await chown.WaitForExitAsync();
                Assert.True(chown.ExitCode == 0, $"chown of {Directory} to postgres failed");
            }
        }

        internal void Start()
        {
            _patroni = AsRoot
                ? StartGroup(_output, "runuser", "-u", "postgres", "--", "patroni", ConfigurationFile)
                : StartGroup(_output, "patroni", ConfigurationFile);
        }

        /// <summary>Patroni stopped with SIGTERM (it stops its PostgreSQL), then whatever is left of the postmaster.</summary>
        internal async Task StopAsync()
        {
            await StopGroupAsync(_patroni);
            _patroni = null;
            if (PostmasterPid() is { } pid)
            {
                // Immediate shutdown: the postmaster ends its server processes itself.
                Signals.Send(pid, Signals.Quit);
                if (!await Signals.WaitUntilGoneAsync(pid, TestTimeouts.Scaled(TimeSpan.FromSeconds(10))))
                {
                    var children = Signals.ChildrenOf(pid);
                    Signals.Send(pid, Signals.Kill);
                    children.ForEach(child => Signals.Send(child, Signals.Kill));
                }
            }
        }

        /// <summary>The live postmaster of this node's data directory (from postmaster.pid, checked against its command line).</summary>
        private int? PostmasterPid()
        {
            var file = Path.Combine(DataDirectory, "postmaster.pid");
            if (!File.Exists(file) ||
                !int.TryParse(File.ReadLines(file).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                return null;
            }

            return Signals.IsAlive(pid) && Signals.CommandLine(pid).Contains(DataDirectory, StringComparison.Ordinal) ? pid : null;
        }
    }
}
