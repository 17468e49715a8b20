using System.Text.Json.Serialization;
using Healthcare.Api.Features.Fhir;
using Healthcare.Api.Platform;

namespace Healthcare.Api.Features.Apps;

/// <summary>
/// SMART App Launch's discovery document, served at the origin's and the FHIR base's
/// <c>/.well-known/smart-configuration</c> (clients look for it under the FHIR base). Everything in it is what the
/// authorization server does: a test compares it with the endpoints and the token answers.
/// </summary>
public static class SmartConfiguration
{
    public const string Path = "/.well-known/smart-configuration";

    public static readonly string[] Capabilities =
    [
        "launch-standalone", "client-public", "client-confidential-asymmetric", "context-standalone-patient", "permission-offline",
        "permission-patient", "permission-user", "permission-v1", "permission-v2", "authorize-post",
    ];

    public static readonly string[] AssertionAlgorithms = ["ES384", "RS384"];

    public static IEndpointRouteBuilder MapSmartConfiguration(this IEndpointRouteBuilder endpoints)
    {
        foreach (var path in new[] { Path, FhirApi.Base + Path })
        {
            endpoints.MapGet(path, Document).AllowAnonymous().ExcludeFromDescription();
        }

        return endpoints;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.JsonHttpResult<SmartConfigurationDocument> Document(HttpContext http)
    {
        var origin = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";
        return TypedResults.Json(
            new SmartConfigurationDocument(
                Issuer: AppAuthorizationServer.IssuerOf(http)!,
                JwksUri: origin + "/.well-known/jwks.json",
                AuthorizationEndpoint: origin + AppAuthorizationServer.AuthorizePath,
                TokenEndpoint: origin + AppAuthorizationServer.TokenPath,
                IntrospectionEndpoint: origin + AppAuthorizationServer.IntrospectPath,
                RevocationEndpoint: origin + AppAuthorizationServer.RevokePath,
                GrantTypesSupported: ["authorization_code", "refresh_token", "client_credentials"],
                ResponseTypesSupported: ["code"],
                TokenEndpointAuthMethodsSupported: ["private_key_jwt", "none"],
                TokenEndpointAuthSigningAlgValuesSupported: AssertionAlgorithms,
                ScopesSupported: [.. AppRegistration.LaunchScopes, "patient/*.rs", "user/*.rs", "system/*.rs", "patient/*.read", "user/*.read", "system/*.read"],
                CodeChallengeMethodsSupported: ["S256"],
                Capabilities: Capabilities),
            AppsJsonContext.Default.SmartConfigurationDocument,
            contentType: "application/json");
    }
}

public sealed record SmartConfigurationDocument(
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("jwks_uri")] string JwksUri,
    [property: JsonPropertyName("authorization_endpoint")] string AuthorizationEndpoint,
    [property: JsonPropertyName("token_endpoint")] string TokenEndpoint,
    [property: JsonPropertyName("introspection_endpoint")] string IntrospectionEndpoint,
    [property: JsonPropertyName("revocation_endpoint")] string RevocationEndpoint,
    [property: JsonPropertyName("grant_types_supported")] string[] GrantTypesSupported,
    [property: JsonPropertyName("response_types_supported")] string[] ResponseTypesSupported,
    [property: JsonPropertyName("token_endpoint_auth_methods_supported")] string[] TokenEndpointAuthMethodsSupported,
    [property: JsonPropertyName("token_endpoint_auth_signing_alg_values_supported")] string[] TokenEndpointAuthSigningAlgValuesSupported,
    [property: JsonPropertyName("scopes_supported")] string[] ScopesSupported,
    [property: JsonPropertyName("code_challenge_methods_supported")] string[] CodeChallengeMethodsSupported,
    [property: JsonPropertyName("capabilities")] string[] Capabilities);
