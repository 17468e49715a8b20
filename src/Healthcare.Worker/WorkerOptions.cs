using Healthcare.Core.Configuration;
using Microsoft.Extensions.Options;

namespace Healthcare.Worker;

/// <summary>Worker settings.</summary>
public sealed class WorkerOptions
{
    /// <summary>Small HTTP port for the worker's health endpoints (and, later, metrics).</summary>
    [ConfigurationKeyName("WORKER_HTTP_PORT")]
    public int HttpPort { get; set; } = 8089;

    /// <summary><c>any</c>, <c>localhost</c> or an IP address, as for the API.</summary>
    [ConfigurationKeyName("LISTEN_ADDRESS")]
    public string ListenAddress { get; set; } = "any";

    /// <summary>How long running work may take to finish after SIGTERM.</summary>
    [ConfigurationKeyName("WORKER_SHUTDOWN_GRACE_SECONDS")]
    public int ShutdownGraceSeconds { get; set; } = 30;
}

internal sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        var failures = new List<string>();
        Settings.RequireRange(failures, "WORKER_HTTP_PORT", options.HttpPort, 1, 65535);
        Settings.RequireRange(failures, "WORKER_SHUTDOWN_GRACE_SECONDS", options.ShutdownGraceSeconds, 1, 3600);
        if (options.ListenAddress is not ("any" or "localhost") && !System.Net.IPAddress.TryParse(options.ListenAddress, out _))
        {
            failures.Add("LISTEN_ADDRESS must be 'any', 'localhost' or an IP address");
        }

        return Settings.Result(failures);
    }
}
