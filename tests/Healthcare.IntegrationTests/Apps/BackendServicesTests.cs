using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Healthcare.Core.Audit;
using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Identity;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Healthcare.IntegrationTests.Apps;

/// <summary>
/// SMART Backend Services: a clinic registers a service with its public key; the service gets short-lived system
/// tokens with signed assertions (each usable once), reads its own clinic's data through the FHIR API and nothing
/// else, and stops the moment the clinic disables it.
/// </summary>
public sealed class BackendServicesTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string TokenUrl = "http://localhost/connect/token";

    private static readonly string[] PlainHttpRedirect = ["http://example.com/cb"];

    // RFC 7523 answers invalid_client; OpenIddict answers a wrongly addressed assertion with invalid_token.
    private static readonly string[] AssertionRefusals = ["invalid_client", "invalid_token"];

    [Theory]
    [InlineData("ES384")]
    [InlineData("RS384")]
    public async Task ABackendServiceGetsASystemTokenOncePerAssertionAndReadsOnlyItsClinic(string algorithm)
    {
        var clinic = await api.CreateClinicAsync();
        var other = await api.CreateClinicAsync();
        var ownPatient = await api.WithDbAsync(db => MatrixResources.PatientAsync(db, clinic.Id));
        var foreignPatient = await api.WithDbAsync(db => MatrixResources.PatientAsync(db, other.Id));
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id));
        using var key = algorithm == "ES384" ? BackendServiceKey.Es384() : BackendServiceKey.Rs384();
        var app = await AppRequests.RegisterBackendAsync(admin, clinic.Id, key);
        Assert.StartsWith("app_", app.ClientId, StringComparison.Ordinal);

        var anonymous = api.CreateClient();
        var assertion = key.Assertion(app.ClientId, TokenUrl);
        var answer = await anonymous.PostAsync("/connect/token", BackendServiceKey.TokenRequest(assertion, "system/*.rs system/Patient.cruds"));
        var token = await answer.Content.ReadFromJsonAsync<TokenAnswer>();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{token?.Error}: {token?.ErrorDescription}");
        Assert.Equal("Bearer", token!.TokenType);
        Assert.InRange(token.ExpiresIn, 1, 300);
        Assert.Equal("system/*.rs", token.Scope);
        var claims = new JsonWebToken(token.AccessToken);
        Assert.Equal(app.ClientId, claims.GetClaim("client_id").Value);
        Assert.Equal("ES256", claims.Alg);

        var replay = await anonymous.PostAsync("/connect/token", BackendServiceKey.TokenRequest(assertion, "system/*.rs"));
        Assert.Equal("invalid_client", (await replay.Content.ReadFromJsonAsync<TokenAnswer>())!.Error);

        var service = api.CreateClient();
        service.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await service.GetAsync($"/fhir/r4/Patient/{ownPatient}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await service.GetAsync($"/fhir/r4/Patient/{foreignPatient}")).StatusCode);
        using (var search = JsonDocument.Parse(await service.GetStringAsync("/fhir/r4/Patient?_count=50")))
        {
            var ids = search.RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("resource").GetProperty("id").GetString()).ToList();
            Assert.Contains(ownPatient.ToString(), ids);
            Assert.DoesNotContain(foreignPatient.ToString(), ids);
        }

        // The token is for the FHIR API only: the native API's permissions are not narrowed by scopes.
        Assert.Equal(HttpStatusCode.Unauthorized, (await service.GetAsync($"/api/v1/clinics/{clinic.Id}/patients")).StatusCode);

        // The audit trail names the app on its reads.
        var reasons = await api.WithDbAsync(db => db.AuditEvents.Where(e => e.PatientId == ownPatient && e.Action == AuditActions.Read)
            .Select(e => new { e.UserId, e.UserRole, e.Reason }).ToListAsync());
        Assert.Contains(reasons, r => r.UserId == null && r.UserRole == "app" && r.Reason == $"app {app.ClientId}");
    }

    [Fact]
    public async Task DisablingAnAppStopsItsTokensAtOnceAndDeletingItForgetsIt()
    {
        var clinic = await api.CreateClinicAsync();
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id));
        using var key = BackendServiceKey.Es384();
        var app = await AppRequests.RegisterBackendAsync(admin, clinic.Id, key);
        var service = await ServiceClientAsync(app, key);
        Assert.Equal(HttpStatusCode.OK, (await service.GetAsync("/fhir/r4/Patient")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/v1/clinics/{clinic.Id}/apps/{app.Id}/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await service.GetAsync("/fhir/r4/Patient")).StatusCode);
        var refused = await api.CreateClient().PostAsync("/connect/token", BackendServiceKey.TokenRequest(key.Assertion(app.ClientId, TokenUrl), "system/*.rs"));
        Assert.Equal("invalid_client", (await refused.Content.ReadFromJsonAsync<TokenAnswer>())!.Error);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/v1/clinics/{clinic.Id}/apps/{app.Id}/enable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await service.GetAsync("/fhir/r4/Patient")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/clinics/{clinic.Id}/apps/{app.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await service.GetAsync("/fhir/r4/Patient")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/v1/clinics/{clinic.Id}/apps/{app.Id}")).StatusCode);
        var audited = await api.WithDbAsync(db => db.AuditEvents.Where(e => e.ResourceType == "App" && e.ResourceId == app.Id.ToString())
            .Select(e => e.Action).ToListAsync());
        Assert.Equal([AuditActions.Create, AuditActions.Disable, AuditActions.Enable, AuditActions.Delete], audited.Where(a => a != AuditActions.AppToken && a != AuditActions.Read));
    }

    [Fact]
    public async Task AssertionsThatBreakSmartsRulesAndRegistrationsThatDoNotFitTheirKindAreRefused()
    {
        var clinic = await api.CreateClinicAsync();
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id));
        using var key = BackendServiceKey.Es384();
        var app = await AppRequests.RegisterBackendAsync(admin, clinic.Id, key);
        var anonymous = api.CreateClient();

        async Task<string?> ErrorAsync(string assertion, string scope = "system/*.rs") =>
            (await (await anonymous.PostAsync("/connect/token", BackendServiceKey.TokenRequest(assertion, scope))).Content.ReadFromJsonAsync<TokenAnswer>())!.Error;

        Assert.Equal("invalid_client", await ErrorAsync(key.Assertion(app.ClientId, TokenUrl, lifetime: TimeSpan.FromMinutes(30))));
        Assert.Contains(await ErrorAsync(key.Assertion(app.ClientId, "http://localhost/elsewhere")), AssertionRefusals);
        using var stranger = BackendServiceKey.Es384();
        Assert.Equal("invalid_client", await ErrorAsync(stranger.Assertion(app.ClientId, TokenUrl)));
        Assert.Equal("invalid_scope", await ErrorAsync(key.Assertion(app.ClientId, TokenUrl), "patient/*.rs"));

        // Only clinic administrators register apps, and each kind has what it needs.
        var doctor = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id));
        Assert.Equal(HttpStatusCode.Forbidden, (await doctor.GetAsync($"/api/v1/clinics/{clinic.Id}/apps")).StatusCode);
        await AssertFieldAsync(admin, clinic.Id, new { name = "x", kind = "backend", scopes = "patient/*.rs", jwks = new { keys = new[] { key.PublicJwk() } } }, "scopes");
        await AssertFieldAsync(admin, clinic.Id, new { name = "x", kind = "backend", scopes = "system/*.cruds", jwks = new { keys = new[] { key.PublicJwk() } } }, "scopes");
        await AssertFieldAsync(admin, clinic.Id, new { name = "x", kind = "backend", scopes = "system/*.rs" }, "jwks");
        await AssertFieldAsync(admin, clinic.Id, new { name = "x", kind = "public", scopes = "launch/patient patient/*.rs" }, "redirectUris");
        await AssertFieldAsync(admin, clinic.Id, new { name = "x", kind = "public", scopes = "patient/*.rs", redirectUris = PlainHttpRedirect }, "redirectUris[0]");
        await AssertFieldAsync(admin, clinic.Id, new
        {
            name = "x",
            kind = "backend",
            scopes = "system/*.rs",
            jwks = new { keys = new[] { new { kty = "EC", kid = "k", crv = "P-256", x = "AAAA", y = "AAAA" } } },
        }, "jwks.keys[0]");
        // A private key is never taken: the JWK's private member is not part of the request.
        var withPrivate = key.PrivateJwk();
        var privateKey = await admin.PostAsJsonAsync($"/api/v1/clinics/{clinic.Id}/apps",
            new { name = "x", kind = "backend", scopes = "system/*.rs", jwks = new { keys = new[] { withPrivate } } });
        Assert.Equal(HttpStatusCode.BadRequest, privateKey.StatusCode);
        var listed = await admin.GetFromJsonAsync<List<RegisteredApp>>($"/api/v1/clinics/{clinic.Id}/apps");
        Assert.Equal([app.Id], listed!.Select(a => a.Id));
    }

    [Fact]
    public async Task TheSmartConfigurationDescribesTheTokenEndpointThatAnswers()
    {
        var client = api.CreateClient();
        foreach (var path in new[] { "/.well-known/smart-configuration", "/fhir/r4/.well-known/smart-configuration" })
        {
            using var document = JsonDocument.Parse(await client.GetStringAsync(path));
            var root = document.RootElement;
            Assert.Equal(TokenUrl, root.GetProperty("token_endpoint").GetString());
            Assert.Equal("http://localhost/connect/authorize", root.GetProperty("authorization_endpoint").GetString());
            Assert.Equal(["authorization_code", "refresh_token", "client_credentials"], root.GetProperty("grant_types_supported").EnumerateArray().Select(e => e.GetString()));
            Assert.Contains("launch-standalone", root.GetProperty("capabilities").EnumerateArray().Select(e => e.GetString()));
            Assert.Contains("private_key_jwt", root.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(["ES384", "RS384"], root.GetProperty("token_endpoint_auth_signing_alg_values_supported").EnumerateArray().Select(e => e.GetString()));
            Assert.Contains("client-confidential-asymmetric", root.GetProperty("capabilities").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(["S256"], root.GetProperty("code_challenge_methods_supported").EnumerateArray().Select(e => e.GetString()));
        }
    }

    [Fact]
    public async Task AServiceIntrospectsItsTokenWithAFreshAssertionEachTime()
    {
        var clinic = await api.CreateClinicAsync();
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id));
        using var key = BackendServiceKey.Es384();
        var app = await AppRequests.RegisterBackendAsync(admin, clinic.Id, key);
        var token = await TokenAsync(app, key);
        var anonymous = api.CreateClient();
        var assertion = key.Assertion(app.ClientId, TokenUrl);
        FormUrlEncodedContent Introspection() => new(new Dictionary<string, string>
        {
            ["token"] = token,
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = assertion,
        });

        using (var answer = JsonDocument.Parse(await (await anonymous.PostAsync("/connect/introspect", Introspection())).Content.ReadAsStringAsync()))
        {
            Assert.True(answer.RootElement.GetProperty("active").GetBoolean(), answer.RootElement.ToString());
            Assert.Equal(app.ClientId, answer.RootElement.GetProperty("client_id").GetString());
            Assert.True(answer.RootElement.GetProperty("exp").GetInt64() > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        }

        var replayed = await anonymous.PostAsync("/connect/introspect", Introspection());
        Assert.Equal("invalid_client", (await replayed.Content.ReadFromJsonAsync<TokenAnswer>())!.Error);
    }

    private async Task<string> TokenAsync(RegisteredApp app, BackendServiceKey key)
    {
        var answer = await api.CreateClient().PostAsync("/connect/token", BackendServiceKey.TokenRequest(key.Assertion(app.ClientId, TokenUrl), "system/*.rs"));
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.IsSuccessStatusCode, $"{(int)answer.StatusCode}: {body}");
        return JsonSerializer.Deserialize<TokenAnswer>(body)!.AccessToken!;
    }

    private async Task<HttpClient> ServiceClientAsync(RegisteredApp app, BackendServiceKey key)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(app, key));
        return client;
    }

    private static async Task AssertFieldAsync(HttpClient admin, Guid clinicId, object body, string field)
    {
        var response = await admin.PostAsJsonAsync($"/api/v1/clinics/{clinicId}/apps", body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        using var problem = JsonDocument.Parse(text);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _), text);
    }
}
