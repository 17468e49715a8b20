using Healthcare.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Serilog.Events;

namespace Healthcare.ServiceDefaults.Logging;

/// <summary>Settings of the stored log (the <c>log_events</c> table behind <c>/logger</c>).</summary>
public sealed class LogStoreOptions
{
    public const string Off = "off";

    /// <summary><c>trace</c>, <c>debug</c>, <c>info</c>, <c>warning</c>, <c>error</c> or <c>off</c>.</summary>
    [ConfigurationKeyName("LOG_STORE_LEVEL")]
    public string Level { get; set; } = "info";

    /// <summary>Days a stored event is kept at least; the daily clean-up drops whole days older than that.</summary>
    [ConfigurationKeyName("LOG_RETENTION_DAYS")]
    public int RetentionDays { get; set; } = 7;

    /// <summary>Events waiting to be written, per process; further events are dropped and counted.</summary>
    [ConfigurationKeyName("LOG_STORE_BUFFER")]
    public int BufferSize { get; set; } = 10_000;

    /// <summary>The level to store from, or null when storing is off (also for a value validation rejects).</summary>
    public static LogEventLevel? ParseLevel(string? value) =>
        string.Equals(value?.Trim(), Off, StringComparison.OrdinalIgnoreCase) ? null
        : LoggingOptions.TryParseLevel(value, out var level) ? level
        : null;

    /// <summary>
    /// Reads the settings straight from configuration, for the logger, which is built before options validation.
    /// A malformed number falls back to its default here; validation stops the process over it anyway.
    /// </summary>
    public static LogStoreOptions Read(IConfiguration configuration)
    {
        var options = new LogStoreOptions();
        options.Level = configuration["LOG_STORE_LEVEL"] ?? options.Level;
        if (int.TryParse(configuration["LOG_RETENTION_DAYS"], out var days))
        {
            options.RetentionDays = days;
        }

        if (int.TryParse(configuration["LOG_STORE_BUFFER"], out var buffer) && buffer is >= 100 and <= 1_000_000)
        {
            options.BufferSize = buffer;
        }

        return options;
    }
}

internal sealed class LogStoreOptionsValidator : IValidateOptions<LogStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, LogStoreOptions options)
    {
        var failures = new List<string>();
        if (!string.Equals(options.Level?.Trim(), LogStoreOptions.Off, StringComparison.OrdinalIgnoreCase) &&
            !LoggingOptions.TryParseLevel(options.Level, out _))
        {
            failures.Add("LOG_STORE_LEVEL must be one of trace, debug, info, warning, error, off");
        }

        Settings.RequireRange(failures, "LOG_RETENTION_DAYS", options.RetentionDays, 1, 3650);
        Settings.RequireRange(failures, "LOG_STORE_BUFFER", options.BufferSize, 100, 1_000_000);
        return Settings.Result(failures);
    }
}
