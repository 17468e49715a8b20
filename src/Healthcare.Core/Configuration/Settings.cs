using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Healthcare.Core.Configuration;

/// <summary>Binding and validation helpers shared by every options class.</summary>
public static class Settings
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> from the root configuration (environment variables such as
    /// DATABASE_URL) and validates it when the host starts, so a bad value stops the process at once.
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedSettings<TOptions, TValidator>(this IServiceCollection services)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        return services.AddOptions<TOptions>()
            .BindConfiguration("", binder => binder.ErrorOnUnknownConfiguration = false)
            .ValidateOnStart();
    }

    public static void RequireRange(List<string> failures, string variable, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{variable} must be between {min} and {max}");
        }
    }

    public static ValidateOptionsResult Result(List<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
}
