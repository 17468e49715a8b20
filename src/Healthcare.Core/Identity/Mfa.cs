using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using OtpNet;

namespace Healthcare.Core.Identity;

/// <summary>A single-use MFA recovery code, stored as its SHA-256 hash.</summary>
public sealed class MfaRecoveryCode
{
    public Guid Id { get; init; } = Guid.CreateVersion7();

    public Guid UserId { get; init; }

    public required byte[] CodeHash { get; init; }

    public DateTimeOffset? UsedAt { get; set; }
}

internal sealed class MfaRecoveryCodeConfiguration : IEntityTypeConfiguration<MfaRecoveryCode>
{
    public void Configure(EntityTypeBuilder<MfaRecoveryCode> builder)
    {
        builder.HasIndex(c => new { c.UserId, c.CodeHash }).IsUnique();
        builder.HasOne<User>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, one step of drift either way) and recovery codes.</summary>
public static class Mfa
{
    public const int RecoveryCodeCount = 10;
    private const string Issuer = "Healthcare Backend";

    public static byte[] NewSecret() => KeyGeneration.GenerateRandomKey(20);

    public static string Base32(byte[] secret) => Base32Encoding.ToString(secret);

    public static string OtpAuthUri(byte[] secret, string account) =>
        $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(account)}" +
        $"?secret={Base32(secret)}&issuer={Uri.EscapeDataString(Issuer)}&algorithm=SHA1&digits=6&period=30";

    /// <summary>The time step the code belongs to, if it is valid now and newer than <paramref name="lastStep"/>.</summary>
    public static long? VerifyTotp(byte[] secret, string code, DateTimeOffset now, long lastStep)
    {
        if (code.Length != 6 || !code.All(char.IsAsciiDigit))
        {
            return null;
        }

        var totp = new Totp(secret, step: 30, mode: OtpHashMode.Sha1, totpSize: 6);
        return totp.VerifyTotp(now.UtcDateTime, code, out var step, new VerificationWindow(previous: 1, future: 1)) && step > lastStep
            ? step
            : null;
    }

    /// <summary>Ten codes like <c>k3v9q-7mw2x</c>, shown once; only their hashes are stored.</summary>
    public static List<string> NewRecoveryCodes()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
        return Enumerable.Range(0, RecoveryCodeCount)
            .Select(_ => RandomNumberGenerator.GetString(alphabet, 10).Insert(5, "-"))
            .ToList();
    }

    public static byte[] HashRecoveryCode(string code) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(code.Trim().ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal)));
}
