using System.Security.Cryptography;
using System.Text;
using Healthcare.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Healthcare.Core.Security;

/// <summary>Keys for encrypting sensitive fields (national id, insurance member id, clinical note bodies).</summary>
public sealed class FieldEncryptionOptions
{
    /// <summary>
    /// Secret: <c>keyId:base64key</c> pairs separated by commas, each key 32 random bytes. The first encrypts;
    /// all decrypt, so a new key is put first and old ones stay until their data has been re-encrypted.
    /// </summary>
    [ConfigurationKeyName("DATA_ENCRYPTION_KEYS")]
    public string? Keys { get; set; }

    /// <summary>Secret: base64 of 32 random bytes, the HMAC key of the blind indexes (exact-match lookups).</summary>
    [ConfigurationKeyName("BLIND_INDEX_KEY")]
    public string? BlindIndexKey { get; set; }
}

internal sealed class FieldEncryptionOptionsValidator : IValidateOptions<FieldEncryptionOptions>
{
    public ValidateOptionsResult Validate(string? name, FieldEncryptionOptions options)
    {
        var failures = new List<string>();
        if (!FieldEncryption.TryParseKeys(options.Keys, out _, out var error))
        {
            failures.Add($"DATA_ENCRYPTION_KEYS {error}");
        }

        if (!FieldEncryption.TryParseKey(options.BlindIndexKey, out _))
        {
            failures.Add("BLIND_INDEX_KEY must be base64 of 32 random bytes (e.g. `openssl rand -base64 32`)");
        }

        return Settings.Result(failures);
    }
}

/// <summary>
/// AES-256-GCM for sensitive fields. A stored value reads <c>v1.{keyId}.{base64(nonce | ciphertext | tag)}</c>:
/// the key id says which key decrypts it, so keys rotate without a flag day. Exact-match search uses a blind
/// index, HMAC-SHA256 of the normalised value under a separate key, so the database never sees the plaintext.
/// </summary>
public sealed class FieldEncryption
{
    private const string Version = "v1";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly string _currentKeyId;
    private readonly Dictionary<string, byte[]> _keys;
    private readonly byte[] _indexKey;

    public FieldEncryption(IOptions<FieldEncryptionOptions> options)
    {
        if (!TryParseKeys(options.Value.Keys, out var keys, out var error) || !TryParseKey(options.Value.BlindIndexKey, out var indexKey))
        {
            throw new InvalidOperationException($"DATA_ENCRYPTION_KEYS or BLIND_INDEX_KEY is invalid: {error}");
        }

        _currentKeyId = keys[0].Id;
        _keys = keys.ToDictionary(k => k.Id, k => k.Key);
        _indexKey = indexKey;
    }

    public string CurrentKeyId => _currentKeyId;

    public string? Encrypt(string? plaintext) => plaintext is null ? null : EncryptBytes(Encoding.UTF8.GetBytes(plaintext));

    public string? Decrypt(string? stored) => stored is null ? null : Encoding.UTF8.GetString(DecryptBytes(stored));

    /// <summary>Encrypts arbitrary bytes (a stored HTTP answer) into the same text form as <see cref="Encrypt"/>.</summary>
    public string EncryptBytes(ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_keys[_currentKeyId], TagSize);
        // The key id is bound in as associated data: a value cannot be passed off as another key's.
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize, plaintext.Length), output.AsSpan(NonceSize + plaintext.Length), Encoding.ASCII.GetBytes(_currentKeyId));
        return $"{Version}.{_currentKeyId}.{Convert.ToBase64String(output)}";
    }

    /// <summary>A binary secret (a TOTP key) sealed for a <c>bytea</c> column: the ASCII of the encrypted form.</summary>
    public byte[] SealBytes(ReadOnlySpan<byte> secret) => Encoding.ASCII.GetBytes(EncryptBytes(secret));

    /// <summary>Opens <see cref="SealBytes"/>; a value stored before sealing existed is returned as it is.</summary>
    public byte[] OpenBytes(byte[] stored) =>
        stored.AsSpan().StartsWith("v1."u8) ? DecryptBytes(Encoding.ASCII.GetString(stored)) : stored;

    public byte[] DecryptBytes(string stored)
    {
        var parts = stored.Split('.', 3);
        if (parts.Length != 3 || parts[0] != Version || !_keys.TryGetValue(parts[1], out var key))
        {
            throw new CryptographicException("The value was not encrypted with a known key.");
        }

        var data = Convert.FromBase64String(parts[2]);
        var length = data.Length - NonceSize - TagSize;
        var output = new byte[length];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(data.AsSpan(0, NonceSize), data.AsSpan(NonceSize, length), data.AsSpan(NonceSize + length), output, Encoding.ASCII.GetBytes(parts[1]));
        return output;
    }

    /// <summary>The key id a stored value was encrypted with, to find values still under an old key.</summary>
    public static string? KeyIdOf(string? stored) => stored?.Split('.', 3) is [Version, var id, _] ? id : null;

    /// <summary>HMAC-SHA256 of the value with spaces and dashes removed and letters upper-cased.</summary>
    public byte[]? BlindIndex(string? value, string purpose)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var normalized = new string(value.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray());
        // The purpose keeps equal values of different fields from sharing an index value.
        return HMACSHA256.HashData(_indexKey, Encoding.UTF8.GetBytes($"{purpose}:{normalized}"));
    }

    internal static bool TryParseKeys(string? value, out List<(string Id, byte[] Key)> keys, out string error)
    {
        keys = [];
        error = "";
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "is not set (keyId:base64key[,older...], each key 32 random bytes, e.g. `k1:$(openssl rand -base64 32)`)";
            return false;
        }

        foreach (var entry in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var separator = entry.IndexOf(':', StringComparison.Ordinal);
            var id = separator > 0 ? entry[..separator] : "";
            if (id.Length is 0 or > 32 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ||
                !TryParseKey(entry[(separator + 1)..], out var key))
            {
                error = "must be keyId:base64key pairs (key ids of letters, digits, - and _; keys of 32 bytes)";
                return false;
            }

            if (keys.Any(k => k.Id == id))
            {
                error = $"names key id '{id}' twice";
                return false;
            }

            keys.Add((id, key));
        }

        return keys.Count > 0;
    }

    internal static bool TryParseKey(string? value, out byte[] key)
    {
        key = new byte[32];
        return value is not null && Convert.TryFromBase64String(value.Trim(), key, out var written) && written == 32;
    }
}
