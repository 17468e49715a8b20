using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Healthcare.Core.Identity;

/// <summary>
/// PBKDF2-HMAC-SHA512 password hashes (ASP.NET Core Identity v3 format) at 210,000 iterations,
/// the OWASP recommendation for that PRF.
/// </summary>
public static class PasswordHashing
{
    public const int Iterations = 210_000;

    private static readonly PasswordHasher<User> Hasher = new(Options.Create(new PasswordHasherOptions
    {
        CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3,
        IterationCount = Iterations,
    }));

    // Verified against when the e-mail is unknown, so that a miss costs as much time as a wrong password.
    private static readonly Lazy<string> DummyHash = new(() => Hasher.HashPassword(null!, Guid.NewGuid().ToString()));

    public static string Hash(string password) => Hasher.HashPassword(null!, password);

    public static PasswordCheck Verify(string? hash, string password)
    {
        if (hash is null)
        {
            Hasher.VerifyHashedPassword(null!, DummyHash.Value, password);
            return PasswordCheck.Failed;
        }

        return Hasher.VerifyHashedPassword(null!, hash, password) switch
        {
            PasswordVerificationResult.Success => PasswordCheck.Success,
            PasswordVerificationResult.SuccessRehashNeeded => PasswordCheck.SuccessRehashNeeded,
            _ => PasswordCheck.Failed,
        };
    }
}

public enum PasswordCheck
{
    Failed,
    Success,
    SuccessRehashNeeded,
}
