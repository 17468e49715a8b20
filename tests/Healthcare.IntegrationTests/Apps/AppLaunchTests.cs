using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Identity;
using Healthcare.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

namespace Healthcare.IntegrationTests.Apps;

/// <summary>
/// SMART App Launch, standalone, as the browser goes through it: the app sends the person to the authorize endpoint
/// with PKCE; they sign in, narrow the scopes and pick one of their patient records; the code exchanged with the
/// verifier gives a token for that patient only, and a refresh token that works once.
/// </summary>
public sealed partial class AppLaunchTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Redirect = "http://127.0.0.1:9/callback";
    private const string Requested = "launch/patient openid fhirUser offline_access patient/*.rs";

    private static readonly string[] Narrowed = ["launch/patient", "offline_access", "patient/*.rs"];

    [Fact]
    public async Task APatientSignsInNarrowsTheScopesPicksARecordAndTheAppReadsThatRecordOnly()
    {
        var clinic = await api.CreateClinicAsync();
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id));
        var registered = await admin.PostAsJsonAsync($"/api/v1/clinics/{clinic.Id}/apps",
            new { name = "Pocket Health", kind = "public", scopes = Requested, redirectUris = new[] { Redirect } });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var app = (await registered.Content.ReadFromJsonAsync<RegisteredApp>())!;
        var person = await api.CreateUserAsync(ClinicRoles.Patient, clinic.Id);
        var first = await api.WithDbAsync(db => MatrixResources.PatientAsync(db, clinic.Id));
        var second = await api.WithDbAsync(db => MatrixResources.PatientAsync(db, clinic.Id));
        await api.WithDbAsync(db => db.Patients.Where(p => p.Id == first || p.Id == second).ExecuteUpdateAsync(p => p.SetProperty(x => x.UserId, person.Id)));

        var token = await LaunchAsync(app, person, second);
        Assert.Equal(second.ToString(), token.GetProperty("patient").GetString());
        var scopes = token.GetProperty("scope").GetString()!.Split(' ');
        Assert.Contains("patient/*.rs", scopes);
        Assert.DoesNotContain("openid", scopes);

        var appClient = api.CreateClient();
        appClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("access_token").GetString());
        Assert.Equal(HttpStatusCode.OK, (await appClient.GetAsync($"/fhir/r4/Patient/{second}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await appClient.GetAsync($"/fhir/r4/Patient/{first}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await appClient.GetAsync("/api/v1/me")).StatusCode);

        // The refresh token rotates and works once: a replay revokes what the authorization issued.
        var refresh = token.GetProperty("refresh_token").GetString()!;
        var refreshed = await TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refresh, ["client_id"] = app.ClientId });
        Assert.Equal(second.ToString(), refreshed.GetProperty("patient").GetString());
        var replay = await api.CreateClient().PostAsync("/connect/token", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refresh, ["client_id"] = app.ClientId }));
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        var chained = await api.CreateClient().PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshed.GetProperty("refresh_token").GetString()!,
            ["client_id"] = app.ClientId,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, chained.StatusCode);
    }

    [Fact]
    public async Task APersonSeesTheAppsTheyAuthorizedAndRevokingOneStopsItsTokensAtOnce()
    {
        var clinic = await api.CreateClinicAsync();
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id));
        var app = (await (await admin.PostAsJsonAsync($"/api/v1/clinics/{clinic.Id}/apps",
            new { name = "Pocket Health", kind = "public", scopes = Requested, redirectUris = new[] { Redirect } })).Content.ReadFromJsonAsync<RegisteredApp>())!;
        var person = await api.CreateUserAsync(ClinicRoles.Patient, clinic.Id);
        var record = await api.WithDbAsync(db => MatrixResources.PatientAsync(db, clinic.Id));
        await api.WithDbAsync(db => db.Patients.Where(p => p.Id == record).ExecuteUpdateAsync(p => p.SetProperty(x => x.UserId, person.Id)));
        var token = await LaunchAsync(app, person, record);
        var appClient = api.CreateClient();
        appClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("access_token").GetString());
        Assert.Equal(HttpStatusCode.OK, (await appClient.GetAsync($"/fhir/r4/Patient/{record}")).StatusCode);

        var own = await api.ClientForAsync(person);
        using var listed = JsonDocument.Parse(await own.GetStringAsync("/api/v1/me/apps"));
        var entry = Assert.Single(listed.RootElement.EnumerateArray());
        Assert.Equal(app.ClientId, entry.GetProperty("clientId").GetString());
        var someoneElse = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Patient, clinic.Id));
        var authorization = entry.GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NotFound, (await someoneElse.DeleteAsync($"/api/v1/me/apps/{authorization}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await own.DeleteAsync($"/api/v1/me/apps/{authorization}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await appClient.GetAsync($"/fhir/r4/Patient/{record}")).StatusCode);
        var refresh = await api.CreateClient().PostAsync("/connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = token.GetProperty("refresh_token").GetString()!,
            ["client_id"] = app.ClientId,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, refresh.StatusCode);
        Assert.Empty(JsonDocument.Parse(await own.GetStringAsync("/api/v1/me/apps")).RootElement.EnumerateArray());
    }

    [Theory]
    [InlineData("plain", "http://localhost/fhir/r4")]
    [InlineData("S256", "http://elsewhere.example/fhir/r4")]
    public async Task APlainPkceChallengeOrAnotherServersAudienceIsRefusedBeforeAnySignIn(string method, string audience)
    {
        var clinic = await api.CreateClinicAsync();
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id));
        var app = (await (await admin.PostAsJsonAsync($"/api/v1/clinics/{clinic.Id}/apps",
            new { name = "Pocket Health", kind = "public", scopes = Requested, redirectUris = new[] { Redirect } })).Content.ReadFromJsonAsync<RegisteredApp>())!;
        var browser = api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var answer = await browser.GetAsync("/connect/authorize?" + Query(new()
        {
            ["response_type"] = "code",
            ["client_id"] = app.ClientId,
            ["redirect_uri"] = Redirect,
            ["scope"] = Requested,
            ["state"] = "s-2",
            ["code_challenge"] = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq",
            ["code_challenge_method"] = method,
            ["aud"] = audience,
        }));
        // Refused without a sign-in page: an error page, or the error sent back to the app.
        Assert.True(answer.StatusCode == HttpStatusCode.BadRequest ||
            (answer.StatusCode == HttpStatusCode.Redirect && answer.Headers.Location!.Query.Contains("error=", StringComparison.Ordinal)),
            $"{(int)answer.StatusCode} {answer.Headers.Location}");
    }

    /// <summary>The whole standalone launch as the browser goes through it, allowing the narrowed scopes for <paramref name="patient"/>.</summary>
    private async Task<JsonElement> LaunchAsync(RegisteredApp app, TestAccount person, Guid patient)
    {
        var browser = api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var authorize = await browser.GetAsync("/connect/authorize?" + Query(new()
        {
            ["response_type"] = "code",
            ["client_id"] = app.ClientId,
            ["redirect_uri"] = Redirect,
            ["scope"] = Requested,
            ["state"] = "s-1",
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
            ["aud"] = "http://localhost/fhir/r4",
        }));
        var signInPage = await authorize.Content.ReadAsStringAsync();
        Assert.True(authorize.StatusCode == HttpStatusCode.OK, signInPage);
        Assert.Contains("form-action 'self'", authorize.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        var signIn = Hidden(signInPage);
        signIn["email"] = person.Email;
        signIn["password"] = person.Password;
        var consent = await browser.PostAsync("/connect/authorize/sign-in", new FormUrlEncodedContent(signIn));
        var consentPage = await consent.Content.ReadAsStringAsync();
        Assert.True(consent.StatusCode == HttpStatusCode.OK, consentPage);
        Assert.Contains(Redirect[..^"/callback".Length], consent.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        // Narrowed: no openid or fhirUser; the second record.
        var answer = Hidden(consentPage).Select(p => KeyValuePair.Create(p.Key, p.Value)).ToList();
        answer.AddRange(Narrowed.Select(s => KeyValuePair.Create("grant", s)));
        answer.Add(KeyValuePair.Create("patient", patient.ToString()));
        answer.Add(KeyValuePair.Create("decision", "allow"));
        var redirected = await browser.PostAsync("/connect/authorize", new FormUrlEncodedContent(answer));
        Assert.True(redirected.StatusCode == HttpStatusCode.Redirect, await redirected.Content.ReadAsStringAsync());
        var location = redirected.Headers.Location!;
        Assert.StartsWith(Redirect, location.ToString(), StringComparison.Ordinal);
        var returned = System.Web.HttpUtility.ParseQueryString(location.Query);
        Assert.Equal("s-1", returned["state"]);

        var token = await TokenAsync(new()
        {
            ["grant_type"] = "authorization_code",
            ["code"] = returned["code"]!,
            ["redirect_uri"] = Redirect,
            ["client_id"] = app.ClientId,
            ["code_verifier"] = verifier,
        });
        return token;
    }

    private async Task<JsonElement> TokenAsync(Dictionary<string, string> form)
    {
        var answer = await api.CreateClient().PostAsync("/connect/token", new FormUrlEncodedContent(form));
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static string Query(Dictionary<string, string> values) =>
        string.Join('&', values.Select(v => $"{Uri.EscapeDataString(v.Key)}={Uri.EscapeDataString(v.Value)}"));

    private static Dictionary<string, string> Hidden(string html) => HiddenField().Matches(html)
        .ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">")]
    private static partial Regex HiddenField();
}
