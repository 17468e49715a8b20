using System.Security.Cryptography;
using Healthcare.Core.Security;
using Microsoft.Extensions.Options;

namespace Healthcare.Tests.Security;

public sealed class FieldEncryptionTests
{
    private static readonly string KeyA = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string KeyB = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private static readonly string IndexKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void ValuesRoundTripAndCarryTheKeyId()
    {
        var encryption = Create($"a:{KeyA}");

        var stored = encryption.Encrypt("078-05-1120");

        Assert.StartsWith("v1.a.", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("078", stored, StringComparison.Ordinal);
        Assert.Equal("078-05-1120", encryption.Decrypt(stored));
        Assert.NotEqual(stored, encryption.Encrypt("078-05-1120"));
    }

    [Fact]
    public void AfterRotationOldValuesStayReadableAndNewOnesUseTheNewKey()
    {
        var before = Create($"a:{KeyA}").Encrypt("XKJ-992-117");
        var rotated = Create($"b:{KeyB},a:{KeyA}");

        Assert.Equal("XKJ-992-117", rotated.Decrypt(before));
        Assert.Equal("b", FieldEncryption.KeyIdOf(rotated.Encrypt("new value")));
    }

    [Fact]
    public void TamperedOrRelabelledValuesAreRejected()
    {
        var encryption = Create($"b:{KeyB},a:{KeyA}");
        var stored = encryption.Encrypt("secret")!;
        var bytes = Convert.FromBase64String(stored.Split('.')[2]);
        bytes[^1] ^= 1;
        var tampered = $"v1.b.{Convert.ToBase64String(bytes)}";
        var relabelled = stored.Replace("v1.b.", "v1.a.", StringComparison.Ordinal);

        Assert.ThrowsAny<CryptographicException>(() => encryption.Decrypt(tampered));
        Assert.ThrowsAny<CryptographicException>(() => encryption.Decrypt(relabelled));
    }

    [Fact]
    public void BlindIndexMatchesFormattingVariantsButNotOtherFields()
    {
        var encryption = Create($"a:{KeyA}");

        Assert.Equal(encryption.BlindIndex("078-05-1120", "ssn"), encryption.BlindIndex(" 078 05 1120", "ssn"));
        Assert.NotEqual(encryption.BlindIndex("078-05-1120", "ssn"), encryption.BlindIndex("078-05-1120", "member"));
        Assert.Null(encryption.BlindIndex("  ", "ssn"));
    }

    private static FieldEncryption Create(string keys) =>
        new(Options.Create(new FieldEncryptionOptions { Keys = keys, BlindIndexKey = IndexKey }));
}
