using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Healthcare.Testing;

/// <summary>
/// A real API or worker process (the built dll under <c>dotnet</c>), for what only a real server shows:
/// Kestrel limits, TLS and HTTP/2, signals, exit codes and the JSON log lines on stdout.
/// </summary>
public sealed partial class HostProcess : IAsyncDisposable
{
    /// <summary>Settings the application reads; cleared from the inherited environment so each test states its own.</summary>
    private static readonly string[] ApplicationVariables =
    [
        "DATABASE_URL", "REDIS_URL", "JWT_SIGNING_KEY", "JWT_SIGNING_KEYS_DIR", "DATA_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "DOTNET_ENVIRONMENT", "ASPNETCORE_ENVIRONMENT", "LOG_LEVEL",
        "LOG_STORE_LEVEL", "LOG_RETENTION_DAYS", "LOG_STORE_BUFFER",
        "DB_POOL_MAX", "HTTP_PORT", "HTTPS_PORT", "H2C_PORT", "TLS_CERT_PATH", "TLS_KEY_PATH", "LISTEN_ADDRESS",
        "WORKER_HTTP_PORT", "CORS_ALLOWED_ORIGINS", "TRUSTED_PROXIES", "RATE_LIMIT_MAX_REQUESTS", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS",
    ];

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private HostProcess(Process process, int httpPort)
    {
        _process = process;
        HttpPort = httpPort;
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}");
    }

    public int HttpPort { get; }

    public Uri BaseAddress { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> StandardOutput => [.. _stdout];

    public IReadOnlyList<string> StandardError => [.. _stderr];

    /// <summary>
    /// Settings for a working API on a fresh port over <paramref name="databaseUrl"/>, which it reaches as the runtime
    /// role, as in a deployment.
    /// </summary>
    public static Dictionary<string, string?> ApiSettings(string databaseUrl, int? httpPort = null) => new()
    {
        ["DATABASE_URL"] = TestServers.RuntimeUrl(databaseUrl),
        ["REDIS_URL"] = TestServers.RedisUrl,
        ["JWT_SIGNING_KEYS_DIR"] = TestKeys.SigningKeysDirectory,
        ["DATA_ENCRYPTION_KEYS"] = TestKeys.DataEncryptionKeys,
        ["BLIND_INDEX_KEY"] = TestKeys.BlindIndexKey,
        ["DOTNET_ENVIRONMENT"] = "Testing",
        ["LOG_LEVEL"] = "info",
        // Tests share one Redis and one client address: budgets large enough never to interfere.
        ["RATE_LIMIT_MAX_REQUESTS"] = "1000000",
        ["RATE_LIMIT_AUTH_MAX_REQUESTS"] = "1000000",
        ["LISTEN_ADDRESS"] = "127.0.0.1",
        ["HTTP_PORT"] = (httpPort ?? FreePort.Next()).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The same settings for a one-shot command that changes the schema (migrate, seed): as the database's owner.</summary>
    public static Dictionary<string, string?> AsOwner(IReadOnlyDictionary<string, string?> settings)
    {
        var owner = new Dictionary<string, string?>(settings);
        if (settings.TryGetValue("DATABASE_URL", out var url) && url is not null)
        {
            owner["DATABASE_URL"] = TestServers.OwnerUrl(url);
        }

        return owner;
    }

    /// <summary>Settings for a worker on a fresh health port, over the given database.</summary>
    public static Dictionary<string, string?> WorkerSettings(string databaseUrl)
    {
        var settings = ApiSettings(databaseUrl);
        settings.Remove("HTTP_PORT");
        settings["WORKER_HTTP_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["LISTEN_ADDRESS"] = "localhost";
        return settings;
    }

    /// <summary>Starts a process without waiting for it to serve (for start-up failures and one-shot commands).</summary>
    public static HostProcess Start(string dll, IReadOnlyDictionary<string, string?> settings, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var variable in ApplicationVariables)
        {
            info.Environment.Remove(variable);
        }

        foreach (var (key, value) in settings)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var port = settings.TryGetValue("HTTP_PORT", out var p) && int.TryParse(p, out var parsed) ? parsed
            : settings.TryGetValue("WORKER_HTTP_PORT", out var w) && int.TryParse(w, out var worker) ? worker : 0;
        var host = new HostProcess(process, port);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                host._stdout.Enqueue(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                host._stderr.Enqueue(e.Data);
            }
        };
        process.Start();
        StartedProcesses.Track(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Starts the process and waits until <c>/health</c> answers on its HTTP port.</summary>
    public static async Task<HostProcess> StartServingAsync(string dll, IReadOnlyDictionary<string, string?> settings)
    {
        var host = Start(dll, settings);
        try
        {
            await host.WaitUntilServingAsync();
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>Waits until <c>/health</c> answers, at most <paramref name="timeout"/> (60 s by default) scaled by <see cref="TestTimeouts.Scale"/>.</summary>
    public async Task WaitUntilServingAsync(TimeSpan? timeout = null)
    {
        using var client = new HttpClient { Timeout = TestTimeouts.Scaled(TimeSpan.FromSeconds(2)) };
        var deadline = DateTime.UtcNow + TestTimeouts.Scaled(timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The process exited with {_process.ExitCode} before serving:\n{Describe()}");
            }

            try
            {
                using var response = await client.GetAsync(new Uri(BaseAddress, "/health"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The process did not serve /health in time:\n{Describe()}");
    }

    /// <summary>
    /// Waits for the process to end by itself, at most <paramref name="timeout"/> (3 minutes by default) scaled by
    /// <see cref="TestTimeouts.Scale"/>, and returns its exit code.
    /// </summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        // Generous: one-shot commands (migrate, seed) share the machine with the rest of the suite.
        using var cts = new CancellationTokenSource(TestTimeouts.Scaled(timeout ?? TimeSpan.FromMinutes(3)));
        await _process.WaitForExitAsync(cts.Token);
        // WaitForExitAsync returns once the output streams have been read to the end.
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM, as Kubernetes and Ctrl-C do.</summary>
    public void Terminate()
    {
        if (!_process.HasExited && Kill(_process.Id, 15) != 0)
        {
            throw new InvalidOperationException($"kill failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>SIGKILL: the process dies at once, mid-work, as in a node failure or an OOM kill.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public string Describe() =>
        $"--- stdout ---\n{string.Join('\n', _stdout.TakeLast(40))}\n--- stderr ---\n{string.Join('\n', _stderr.TakeLast(40))}";

    public async ValueTask DisposeAsync()
    {
        await StartedProcesses.StopAsync(_process);
        _process.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
