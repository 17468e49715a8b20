using System.Text.Json.Serialization;

namespace Healthcare.Api.Platform;

/// <summary>
/// Serialization code generated at build time for the busiest request and response types, so the hot paths
/// skip reflection-based metadata. Each feature puts its own context first in the resolver chain; other types
/// fall back to reflection. Naming, enum and unmapped-member rules come from the API's shared options, whichever
/// resolver answers.
/// </summary>
public static class GeneratedJson
{
    public static IServiceCollection AddGeneratedJson(this IServiceCollection services, JsonSerializerContext context) =>
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, context));
}
