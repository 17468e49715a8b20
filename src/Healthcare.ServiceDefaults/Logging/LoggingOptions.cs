using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Serilog.Events;

namespace Healthcare.ServiceDefaults.Logging;

/// <summary>Log settings.</summary>
public sealed class LoggingOptions
{
    /// <summary><c>debug</c>, <c>info</c>, <c>warning</c> or <c>error</c>.</summary>
    [ConfigurationKeyName("LOG_LEVEL")]
    public string Level { get; set; } = "info";

    public static bool TryParseLevel(string? value, out LogEventLevel level)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "trace" or "verbose":
                level = LogEventLevel.Verbose;
                return true;
            case "debug":
                level = LogEventLevel.Debug;
                return true;
            case "info" or "information":
                level = LogEventLevel.Information;
                return true;
            case "warn" or "warning":
                level = LogEventLevel.Warning;
                return true;
            case "error":
                level = LogEventLevel.Error;
                return true;
            default:
                level = LogEventLevel.Information;
                return false;
        }
    }
}

internal sealed class LoggingOptionsValidator : IValidateOptions<LoggingOptions>
{
    public ValidateOptionsResult Validate(string? name, LoggingOptions options) =>
        LoggingOptions.TryParseLevel(options.Level, out _)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("LOG_LEVEL must be one of trace, debug, info, warning, error");
}
