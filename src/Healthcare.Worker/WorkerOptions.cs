using Healthcare.Core.Configuration;
using Healthcare.ServiceDefaults.Hosting;
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

    /// <summary>Concurrent jobs of the <c>critical</c> queue (sign-in and account e-mail).</summary>
    [ConfigurationKeyName("WORKER_CONCURRENCY_CRITICAL")]
    public int CriticalConcurrency { get; set; } = 2;

    /// <summary>Concurrent jobs of the <c>default</c> queue (appointment notifications).</summary>
    [ConfigurationKeyName("WORKER_CONCURRENCY_DEFAULT")]
    public int DefaultConcurrency { get; set; } = 4;

    /// <summary>Concurrent jobs of the <c>maintenance</c> queue (sweeps and clean-up).</summary>
    [ConfigurationKeyName("WORKER_CONCURRENCY_MAINTENANCE")]
    public int MaintenanceConcurrency { get; set; } = 1;

    /// <summary>Job workers of all queues together.</summary>
    public int JobWorkers => CriticalConcurrency + DefaultConcurrency + MaintenanceConcurrency;

    /// <summary>First retry delay of a failed job; each further retry waits four times longer (plus jitter).</summary>
    [ConfigurationKeyName("WORKER_RETRY_BASE_SECONDS")]
    public int RetryBaseSeconds { get; set; } = 5;

    /// <summary>Longest wait between two attempts of a job.</summary>
    [ConfigurationKeyName("WORKER_RETRY_MAX_SECONDS")]
    public int RetryMaxSeconds { get; set; } = 3600;

    /// <summary>How often scheduled jobs (retries, delayed work) are checked for being due.</summary>
    [ConfigurationKeyName("WORKER_SCHEDULE_POLL_SECONDS")]
    public int SchedulePollSeconds { get; set; } = 15;
}

internal sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        var failures = new List<string>();
        Settings.RequireRange(failures, "WORKER_HTTP_PORT", options.HttpPort, 1, 65535);
        Settings.RequireRange(failures, "WORKER_SHUTDOWN_GRACE_SECONDS", options.ShutdownGraceSeconds, 1, 3600);
        Settings.RequireRange(failures, "WORKER_CONCURRENCY_CRITICAL", options.CriticalConcurrency, 1, 64);
        Settings.RequireRange(failures, "WORKER_CONCURRENCY_DEFAULT", options.DefaultConcurrency, 1, 64);
        Settings.RequireRange(failures, "WORKER_CONCURRENCY_MAINTENANCE", options.MaintenanceConcurrency, 1, 16);
        Settings.RequireRange(failures, "WORKER_RETRY_BASE_SECONDS", options.RetryBaseSeconds, 1, 600);
        Settings.RequireRange(failures, "WORKER_RETRY_MAX_SECONDS", options.RetryMaxSeconds, options.RetryBaseSeconds, 86400);
        Settings.RequireRange(failures, "WORKER_SCHEDULE_POLL_SECONDS", options.SchedulePollSeconds, 1, 300);
        if (!ListenAddresses.IsValid(options.ListenAddress))
        {
            failures.Add(ListenAddresses.Invalid);
        }

        return Settings.Result(failures);
    }
}
