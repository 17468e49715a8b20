using System.Net;
using System.Net.Http.Json;
using Healthcare.Core.Identity;
using Healthcare.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Healthcare.IntegrationTests.Apps;

/// <summary>
/// A backend service that publishes its keys at a JWKS URL: the keys are read at registration, used for its
/// assertions, and read again when the clinic asks after the service rotated them.
/// </summary>
public sealed class JwksUrlTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task KeysComeFromTheServicesJwksUrlAndAreReadAgainOnRequest()
    {
        using var first = BackendServiceKey.Es384();
        using var second = BackendServiceKey.Rs384();
        var published = new List<object> { first.PublicJwk() };
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var keyServer = builder.Build();
        keyServer.MapGet("/jwks.json", () => Results.Json(new { keys = published.ToArray() }));
        keyServer.MapGet("/gone", () => Results.NotFound());
        await keyServer.StartAsync();

        var clinic = await api.CreateClinicAsync();
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id));
        var unreachable = await admin.PostAsJsonAsync($"/api/v1/clinics/{clinic.Id}/apps",
            new { name = "Lab feed", kind = "backend", scopes = "system/*.rs", jwksUrl = $"http://127.0.0.1:{port}/gone" });
        Assert.Equal(HttpStatusCode.BadRequest, unreachable.StatusCode);
        Assert.Contains("jwksUrl", await unreachable.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var registered = await admin.PostAsJsonAsync($"/api/v1/clinics/{clinic.Id}/apps",
            new { name = "Lab feed", kind = "backend", scopes = "system/*.rs", jwksUrl = $"http://127.0.0.1:{port}/jwks.json" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var app = (await registered.Content.ReadFromJsonAsync<RegisteredApp>())!;
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(app, first)).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await TokenAsync(app, second)).StatusCode);

        // The service rotates: the new key works once the clinic has the keys read again.
        published[0] = second.PublicJwk();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/v1/clinics/{clinic.Id}/apps/{app.Id}/keys/refresh", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await TokenAsync(app, second)).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await TokenAsync(app, first)).StatusCode);
        await keyServer.StopAsync();
    }

    private Task<HttpResponseMessage> TokenAsync(RegisteredApp app, BackendServiceKey key) =>
        api.CreateClient().PostAsync("/connect/token", BackendServiceKey.TokenRequest(key.Assertion(app.ClientId, "http://localhost/connect/token"), "system/*.rs"));
}
