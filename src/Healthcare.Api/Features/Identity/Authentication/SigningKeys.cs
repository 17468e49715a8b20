using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Healthcare.Api.Features.Identity.Authentication;

/// <summary>
/// The access-token keys: every <c>*.pem</c> file (EC P-256) in JWT_SIGNING_KEYS_DIR, named by its key id.
/// The private key with the greatest file name signs; every key, private or public-only, validates and is
/// published in the JWKS, so a rotated-out key keeps validating the tokens it signed until they expire.
/// </summary>
public sealed class SigningKeys
{
    private SigningKeys(ECDsaSecurityKey current, IReadOnlyList<ECDsaSecurityKey> all)
    {
        Current = current;
        ValidationKeys = all;
    }

    public ECDsaSecurityKey Current { get; }

    public IReadOnlyList<ECDsaSecurityKey> ValidationKeys { get; }

    public static SigningKeys Load(string directory)
    {
        if (!TryLoad(directory, out var keys, out var error))
        {
            throw new InvalidOperationException($"JWT_SIGNING_KEYS_DIR {error}");
        }

        return keys;
    }

    public static bool TryLoad(string? directory, out SigningKeys keys, out string error)
    {
        keys = null!;
        error = "";
        if (string.IsNullOrWhiteSpace(directory))
        {
            error = "is not set (a directory of EC P-256 PEM keys, e.g. made with `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`)";
            return false;
        }

        if (!Directory.Exists(directory))
        {
            error = "names a directory that does not exist";
            return false;
        }

        var loaded = new List<(string Id, ECDsa Key, bool IsPrivate)>();
        foreach (var file in Directory.EnumerateFiles(directory, "*.pem").Order(StringComparer.Ordinal))
        {
            var id = Path.GetFileNameWithoutExtension(file);
            if (id.Length is 0 or > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                error = $"has a key file whose name is not a usable key id: {Path.GetFileName(file)}";
                return false;
            }

            var key = ECDsa.Create();
            try
            {
                key.ImportFromPem(File.ReadAllText(file));
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                key.Dispose();
                error = $"has a key file that is not an EC PEM key: {Path.GetFileName(file)}";
                return false;
            }

            if (key.KeySize != 256)
            {
                key.Dispose();
                error = $"has a key that is not on curve P-256: {Path.GetFileName(file)}";
                return false;
            }

            loaded.Add((id, key, HasPrivateKey(key)));
        }

        var signer = loaded.LastOrDefault(k => k.IsPrivate);
        if (signer.Key is null)
        {
            error = "holds no private EC P-256 key (*.pem) to sign with";
            return false;
        }

        var all = loaded.Select(k => new ECDsaSecurityKey(k.Key) { KeyId = k.Id }).ToList();
        keys = new SigningKeys(all.Single(k => k.KeyId == signer.Id), all);
        return true;
    }

    /// <summary>The public halves, as a JSON Web Key Set.</summary>
    public JwksDocument ToJwks() => new(ValidationKeys.Select(key =>
    {
        var parameters = key.ECDsa.ExportParameters(includePrivateParameters: false);
        return new JwkDto(
            "EC",
            "sig",
            SecurityAlgorithms.EcdsaSha256,
            key.KeyId,
            "P-256",
            Base64UrlEncoder.Encode(parameters.Q.X),
            Base64UrlEncoder.Encode(parameters.Q.Y));
    }).ToList());

    private static bool HasPrivateKey(ECDsa key)
    {
        try
        {
            return key.ExportParameters(includePrivateParameters: true).D is { Length: > 0 };
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}

public sealed record JwksDocument(IReadOnlyList<JwkDto> Keys);

public sealed record JwkDto(
    [property: System.Text.Json.Serialization.JsonPropertyName("kty")] string KeyType,
    [property: System.Text.Json.Serialization.JsonPropertyName("use")] string Use,
    [property: System.Text.Json.Serialization.JsonPropertyName("alg")] string Algorithm,
    [property: System.Text.Json.Serialization.JsonPropertyName("kid")] string KeyId,
    [property: System.Text.Json.Serialization.JsonPropertyName("crv")] string Curve,
    [property: System.Text.Json.Serialization.JsonPropertyName("x")] string X,
    [property: System.Text.Json.Serialization.JsonPropertyName("y")] string Y);

internal sealed class SigningKeysFactory(IOptions<TokenOptions> options)
{
    private readonly Lazy<SigningKeys> _keys = new(() => SigningKeys.Load(options.Value.SigningKeysDirectory!));

    public SigningKeys Keys => _keys.Value;
}
