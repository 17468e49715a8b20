using System.Security.Cryptography;

namespace Healthcare.Testing;

/// <summary>Secrets made fresh for each test run; nothing secret is committed.</summary>
public static class TestKeys
{
    /// <summary>A JWT_SIGNING_KEYS_DIR holding one new EC P-256 key, <c>test-key.pem</c>.</summary>
    public static string SigningKeysDirectory { get; } = CreateSigningKeysDirectory("test-key");

    /// <summary>DATA_ENCRYPTION_KEYS with one key, <c>test1</c>.</summary>
    public static string DataEncryptionKeys { get; } = $"test1:{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}";

    public static string BlindIndexKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public static string CreateSigningKeysDirectory(params string[] keyIds)
    {
        var directory = Directory.CreateTempSubdirectory("hb-jwt-").FullName;
        foreach (var id in keyIds)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            File.WriteAllText(Path.Combine(directory, id + ".pem"), key.ExportPkcs8PrivateKeyPem());
        }

        return directory;
    }

    public static ECDsa LoadKey(string directory, string keyId)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(Path.Combine(directory, keyId + ".pem")));
        return key;
    }
}
