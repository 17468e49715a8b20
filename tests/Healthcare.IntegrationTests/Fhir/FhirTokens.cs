using System.Net.Http.Headers;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Healthcare.IntegrationTests.Fhir;

/// <summary>Tokens narrowed to SMART scopes, as a third-party app would hold.</summary>
internal static class FhirTokens
{
    /// <summary>A client whose token is the account's own session's, narrowed to <paramref name="scope"/>.</summary>
    public static async Task<HttpClient> ScopedClientAsync(ApiFactory api, TestAccount account, string scope)
    {
        var client = await api.ClientForAsync(account);
        var own = new JsonWebToken(client.DefaultRequestHeaders.Authorization!.Parameter);
        var (token, _) = api.Services.GetRequiredService<AccessTokens>().Issue(
            account.Id, Guid.Parse(own.GetClaim(CurrentUser.SecurityStampClaim).Value), Guid.Parse(own.GetClaim(CurrentUser.SessionClaim).Value), scope);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
