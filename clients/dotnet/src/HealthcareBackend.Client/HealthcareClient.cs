using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace HealthcareBackend.Client;

/// <summary>
/// Creates the generated <see cref="HealthcareApiClient"/> (Generated/, regenerated with <c>make clients</c>; never
/// edited by hand) for one API address, with an optional source of access tokens.
/// </summary>
public static class HealthcareClient
{
    /// <param name="baseAddress">The API's base address, e.g. http://localhost:8088</param>
    /// <param name="accessToken">Asked on every request; null (or returning null) sends no Authorization header.</param>
    /// <param name="httpClient">An HttpClient to send with (default: Kiota's, with its retry, redirect and header-inspection handlers).</param>
    public static HealthcareApiClient Create(Uri baseAddress, Func<string?>? accessToken = null, HttpClient? httpClient = null)
    {
        IAuthenticationProvider authentication = accessToken is null
            ? new AnonymousAuthenticationProvider()
            : new BaseBearerTokenAuthenticationProvider(new TokenSource(accessToken, baseAddress.Host));
        var adapter = new HttpClientRequestAdapter(authentication, httpClient: httpClient)
        {
            BaseUrl = baseAddress.ToString().TrimEnd('/'),
        };
        return new HealthcareApiClient(adapter);
    }

    private sealed class TokenSource(Func<string?> accessToken, string host) : IAccessTokenProvider
    {
        public AllowedHostsValidator AllowedHostsValidator { get; } = new([host]);

        public Task<string> GetAuthorizationTokenAsync(
            Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(AllowedHostsValidator.IsUrlHostValid(uri) ? accessToken() ?? string.Empty : string.Empty);
    }
}
