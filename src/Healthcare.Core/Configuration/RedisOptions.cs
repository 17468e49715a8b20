using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Healthcare.Core.Configuration;

/// <summary>Redis settings.</summary>
public sealed class RedisOptions
{
    /// <summary>Secret when it carries a password: <c>redis://:password@host:port</c>.</summary>
    [ConfigurationKeyName("REDIS_URL")]
    public string? Url { get; set; }
}

internal sealed class RedisOptionsValidator : IValidateOptions<RedisOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisOptions options)
    {
        var failures = new List<string>();
        if (!RedisConnection.TryParse(options.Url, out _, out var error))
        {
            failures.Add($"REDIS_URL {error}");
        }

        return Settings.Result(failures);
    }
}
