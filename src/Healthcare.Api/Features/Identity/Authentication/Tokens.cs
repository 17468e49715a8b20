namespace Healthcare.Api.Features.Identity.Authentication;

/// <summary>The URL-safe text form of the 256-bit one-time tokens (refresh, reset, invitation).</summary>
public static class Tokens
{
    public static string Encode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The 32 bytes of a well-formed token, or null.</summary>
    public static byte[]? Decode(string? token)
    {
        var buffer = new byte[32];
        return token is { Length: 43 } &&
            Convert.TryFromBase64String(token.Replace('-', '+').Replace('_', '/') + "=", buffer, out var written) && written == 32
            ? buffer
            : null;
    }
}
