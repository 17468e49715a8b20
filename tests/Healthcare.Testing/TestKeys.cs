using System.Security.Cryptography;

namespace Healthcare.Testing;

/// <summary>Secrets made fresh for each test run; nothing secret is committed.</summary>
public static class TestKeys
{
    public static string JwtSigningKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
}
