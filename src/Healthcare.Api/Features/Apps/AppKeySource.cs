using System.Text.Json;

namespace Healthcare.Api.Features.Apps;

/// <summary>
/// Reads a backend service's public keys from the JWKS URL it registered: https only (plain http on loopback outside
/// production), no redirects, five seconds, 64 KiB. Only the public members of each key are kept.
/// </summary>
public sealed class AppKeySource(IHttpClientFactory clients, IHostEnvironment environment)
{
    public const string ClientName = "app-jwks";
    private const int MaxBytes = 64 * 1024;

    // JWK member names are lower case (RFC 7517); the web defaults match them to the record's properties.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { TypeInfoResolver = AppsJsonContext.Default };

    public static void AddTo(IServiceCollection services)
    {
        services.AddHttpClient(ClientName, client => client.Timeout = TimeSpan.FromSeconds(5))
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        services.AddSingleton<AppKeySource>();
    }

    /// <summary>The key set at <paramref name="url"/>, or why it cannot be used.</summary>
    public async Task<(PublicKeySet? Keys, string? Problem)> FetchAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || url.Length > 2000 ||
            !(uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback && !environment.IsProduction())))
        {
            return (null, "The JWKS URL is an absolute https URL.");
        }

        try
        {
            using var response = await clients.CreateClient(ClientName).GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"The JWKS URL answered {(int)response.StatusCode}.");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[MaxBytes + 1];
            var length = 0;
            int read;
            while (length < buffer.Length && (read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
            {
                length += read;
            }

            if (length > MaxBytes)
            {
                return (null, "The key set at the JWKS URL is larger than 64 KiB.");
            }

            var keys = JsonSerializer.Deserialize<PublicKeySet>(buffer.AsSpan(0, length), Json);
            return keys is { Keys.Count: > 0 } ? (keys, null) : (null, "The JWKS URL holds no keys.");
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or JsonException)
        {
            return (null, "The JWKS URL could not be read as a JSON Web Key Set.");
        }
    }
}
