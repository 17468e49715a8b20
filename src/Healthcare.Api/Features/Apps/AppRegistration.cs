using System.Net;
using Healthcare.Api.Features.Fhir;
using Healthcare.Api.Platform;
using Healthcare.Core.Apps;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Healthcare.Api.Features.Apps;

/// <summary>What a registration must hold for each kind of app, and the OpenIddict application it becomes.</summary>
public static class AppRegistration
{
    /// <summary>The non-resource scopes a person may grant an app at launch.</summary>
    public static readonly string[] LaunchScopes = ["openid", "fhirUser", "launch/patient", "offline_access"];

    public static ValidationProblem? Check(RegisterAppRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            return Problems.Field("name", "Name the app.");
        }

        var scopes = request.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (scopes.Length == 0)
        {
            return Problems.Field("scopes", "List the scopes the app may request, separated by spaces.");
        }

        return request.Kind == AppKinds.Backend ? CheckBackend(request, scopes) : CheckPublic(request, scopes);
    }

    private static ValidationProblem? CheckBackend(RegisterAppRequest request, string[] scopes)
    {
        if (scopes.FirstOrDefault(s => SmartScopes.ContextOf(s) != "system" || !SmartScopes.IsReadOnly(s)) is { } wrong)
        {
            return Problems.Field("scopes", $"A backend service reads with system scopes only (system/*.rs, system/Patient.rs, ...); '{wrong}' is not one.");
        }

        if (request.RedirectUris is { Count: > 0 })
        {
            return Problems.Field("redirectUris", "A backend service has no redirect URIs.");
        }

        if (request.Jwks is not { Keys.Count: > 0 } jwks)
        {
            return Problems.Field("jwks", "A backend service registers the public keys that verify its assertions, or the URL that publishes them (jwksUrl).");
        }

        for (var i = 0; i < jwks.Keys.Count; i++)
        {
            if (KeyProblem(jwks.Keys[i]) is { } problem)
            {
                return Problems.Field($"jwks.keys[{i}]", problem);
            }
        }

        return jwks.Keys.Select(k => k.Kid).Distinct(StringComparer.Ordinal).Count() == jwks.Keys.Count
            ? null
            : Problems.Field("jwks.keys", "Each key needs its own kid.");
    }

    private static ValidationProblem? CheckPublic(RegisterAppRequest request, string[] scopes)
    {
        if (scopes.FirstOrDefault(s => !LaunchScopes.Contains(s) && SmartScopes.ContextOf(s) is not ("patient" or "user")) is { } wrong)
        {
            return Problems.Field("scopes", $"A public app has patient/ or user/ scopes and {string.Join(", ", LaunchScopes)}; '{wrong}' is not one.");
        }

        if (request.Jwks is not null)
        {
            return Problems.Field("jwks", "A public app has no keys: it proves itself with PKCE.");
        }

        if (request.RedirectUris is not { Count: > 0 } uris)
        {
            return Problems.Field("redirectUris", "A public app needs at least one redirect URI.");
        }

        for (var i = 0; i < uris.Count; i++)
        {
            if (!IsAcceptableRedirect(uris[i]))
            {
                return Problems.Field($"redirectUris[{i}]", "A redirect URI is an absolute https URI (http only on loopback) without a fragment.");
            }
        }

        return null;
    }

    private static bool IsAcceptableRedirect(string value) =>
        value.Length <= 2000 && Uri.TryCreate(value, UriKind.Absolute, out var uri) && string.IsNullOrEmpty(uri.Fragment) &&
        (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip))));

    /// <summary>Why a key cannot verify SMART assertions (ES384 or RS384), or null.</summary>
    private static string? KeyProblem(PublicJwk key) => key.Kty switch
    {
        "EC" when key.Crv != "P-384" => "EC keys are on P-384 (ES384).",
        "EC" when !IsCoordinate(key.X, 48) || !IsCoordinate(key.Y, 48) => "An EC key needs its x and y coordinates (base64url, 48 bytes each).",
        "EC" when key.Alg is not (null or "ES384") => "An EC key signs with ES384.",
        "RSA" when key.N is null || key.E is null || Base64UrlEncoder.DecodeBytes(key.N).Length < 256 => "An RSA key needs n (2048 bits or more) and e.",
        "RSA" when key.Alg is not (null or "RS384") => "An RSA key signs with RS384.",
        "EC" or "RSA" => key.Use is null or "sig" ? null : "The key's use is sig.",
        _ => "Keys are EC (P-384) or RSA.",
    };

    private static bool IsCoordinate(string? value, int bytes)
    {
        try
        {
            return value is not null && Base64UrlEncoder.DecodeBytes(value).Length == bytes;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static OpenIddictApplicationDescriptor Descriptor(ClinicApp app, RegisterAppRequest request)
    {
        var descriptor = new OpenIddictApplicationDescriptor { ClientId = app.ClientId, DisplayName = app.Name };
        if (app.Kind == AppKinds.Backend)
        {
            descriptor.ClientType = ClientTypes.Confidential;
            descriptor.JsonWebKeySet = new JsonWebKeySet();
            foreach (var key in request.Jwks!.Keys)
            {
                descriptor.JsonWebKeySet.Keys.Add(new JsonWebKey
                {
                    Kty = key.Kty,
                    Kid = key.Kid,
                    Alg = key.Alg,
                    Use = "sig",
                    Crv = key.Crv,
                    X = key.X,
                    Y = key.Y,
                    N = key.N,
                    E = key.E,
                });
            }

            descriptor.Permissions.UnionWith([Permissions.Endpoints.Token, Permissions.Endpoints.Introspection, Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.ClientCredentials]);
        }
        else
        {
            descriptor.ClientType = ClientTypes.Public;
            descriptor.ConsentType = ConsentTypes.Explicit;
            foreach (var uri in request.RedirectUris!)
            {
                descriptor.RedirectUris.Add(new Uri(uri));
            }

            descriptor.Permissions.UnionWith([Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken, Permissions.ResponseTypes.Code]);
            descriptor.Requirements.Add(Requirements.Features.ProofKeyForCodeExchange);
        }

        return descriptor;
    }
}
