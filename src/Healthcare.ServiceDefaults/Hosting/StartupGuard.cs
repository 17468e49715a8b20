using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Healthcare.ServiceDefaults.Hosting;

/// <summary>
/// Runs a host's entry point and turns configuration mistakes into one line on standard error
/// naming the variable at fault, instead of a stack trace.
/// </summary>
public static class StartupGuard
{
    /// <summary>Exit code for a configuration error (EX_CONFIG in sysexits.h).</summary>
    public const int ConfigurationErrorExitCode = 78;

    public static async Task<int> RunAsync(Func<Task<int>> main)
    {
        try
        {
            return await main();
        }
        catch (Exception e) when (Describe(e) is { } message)
        {
            await Console.Error.WriteLineAsync($"configuration error: {message}");
            return ConfigurationErrorExitCode;
        }
    }

    /// <summary>
    /// Validates every settings class now, before the host starts, so that a bad value is reported by
    /// <see cref="RunAsync"/> alone rather than also logged as a failed start.
    /// </summary>
    public static void ValidateSettings(IServiceProvider services) =>
        services.GetService<IStartupValidator>()?.Validate();

    /// <summary>The one-line description of a configuration error, or null for any other exception.</summary>
    public static string? Describe(Exception exception) => exception switch
    {
        OptionsValidationException e => string.Join("; ", e.Failures.Distinct()),
        AggregateException { InnerExceptions.Count: > 0 } e when e.InnerExceptions.All(i => Describe(i) is not null) =>
            string.Join("; ", e.InnerExceptions.Select(i => Describe(i)).Distinct()),
        // The configuration binder reports a value it cannot convert (DB_POOL_MAX=abc) this way.
        InvalidOperationException e
            when e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) => BinderMessage(e.Message),
        _ => null,
    };

    private static string BinderMessage(string message)
    {
        // "Failed to convert configuration value 'abc' at 'DB_POOL_MAX' to type 'System.Int32'.": name the
        // variable, never repeat the value (it could be a secret).
        var start = message.IndexOf(" at '", StringComparison.Ordinal);
        if (start < 0)
        {
            return "a setting has a value of the wrong type";
        }

        start += 5;
        var end = message.IndexOf('\'', start);
        var variable = end > start ? message[start..end] : "a setting";
        var type = message.Contains("Int32", StringComparison.Ordinal) ? "a whole number" : "a value of the right type";
        return $"{variable} must be {type}";
    }
}
