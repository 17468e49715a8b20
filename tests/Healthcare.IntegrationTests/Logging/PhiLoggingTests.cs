using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Healthcare.Api.Features.Identity;
using Healthcare.Core.Clinics;
using Healthcare.Core.Identity;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.IntegrationTests.Logging;

/// <summary>
/// Patient data sent to the real API process (valid, malformed and refused requests, at the most verbose log levels)
/// never appears in its stdout log lines or in the stored log events, while the events of those requests are stored.
/// </summary>
public sealed class PhiLoggingTests : IAsyncLifetime
{
    private const string GivenName = "Philippa";
    private const string FamilyName = "Quarrington";
    private const string NoteText = "Intermittent thoracic discomfort after climbing stairs";

    /// <summary>The values to look for, including the date of birth as other cultures would write it.</summary>
    private static readonly string[] Secrets =
        [GivenName, FamilyName, "1951-07-14", "07/14/1951", "14/07/1951", "14.07.1951", "thoracic", "climbing stairs", "555-0143", "quarrington.p@"];

    private string _databaseUrl = "";

    public async Task InitializeAsync() => _databaseUrl = await TestServers.CreateMigratedDatabaseAsync(nameof(PhiLoggingTests));

    public Task DisposeAsync() => TestServers.DropDatabaseAsync(_databaseUrl);

    [Fact]
    public async Task PatientNameDateOfBirthAndNoteTextReachNeitherStdoutNorTheStoredLog()
    {
        var (clinicId, doctor) = await ClinicWithDoctorAsync();
        var settings = HostProcess.ApiSettings(_databaseUrl);
        settings["LOG_LEVEL"] = "trace";
        settings["LOG_STORE_LEVEL"] = "trace";
        await using var api = await HostProcess.StartServingAsync(RepositoryPaths.ApiDll, settings);
        using var http = new HttpClient { BaseAddress = api.BaseAddress };
        var login = await http.PostAsJsonAsync("/api/v1/auth/login", new { doctor.Email, doctor.Password });
        var token = (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var patients = $"/api/v1/clinics/{clinicId}/patients";
        var patient = new
        {
            givenName = GivenName,
            familyName = FamilyName,
            dateOfBirth = "1951-07-14",
            sex = "female",
            phone = "+1 202-555-0143",
            email = "quarrington.p@example.test",
            address = new { line1 = "12 Quarrington Row", city = "Springfield", postalCode = "20500", country = "US" },
            emergencyContacts = new[] { new { name = $"Arthur {FamilyName}", relationship = "spouse", phone = "+1 202-555-0143" } },
        };

        var requests = new List<(string Id, HttpStatusCode Status)>();
        async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, HttpContent? content = null)
        {
            var id = $"phi-{requests.Count}-{Guid.NewGuid():N}";
            using var request = new HttpRequestMessage(method, url) { Content = content };
            request.Headers.Add("X-Request-Id", id);
            var response = await http.SendAsync(request);
            requests.Add((id, response.StatusCode));
            return response;
        }

        var created = await SendAsync(HttpMethod.Post, patients, JsonContent.Create(patient));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var patientId = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("patient").GetProperty("id").GetString();
        var note = await SendAsync(HttpMethod.Post, $"{patients}/{patientId}/notes", JsonContent.Create(new { kind = "progress", body = NoteText }));
        Assert.Equal(HttpStatusCode.Created, note.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"{patients}?name={FamilyName}&dateOfBirth=1951-07-14")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"{patients}/{patientId}/notes")).StatusCode);
        // Refused and malformed requests carrying the same data: the error paths must not echo it either.
        await SendAsync(HttpMethod.Post, patients, new StringContent($"{{\"givenName\":\"{GivenName}\",\"familyName\":\"{FamilyName}\",", Encoding.UTF8, "application/json"));
        await SendAsync(HttpMethod.Post, patients, JsonContent.Create(new { givenName = GivenName, familyName = FamilyName, dateOfBirth = "1951-07-14", sex = "female", diagnosis = NoteText }));
        await SendAsync(HttpMethod.Post, patients, JsonContent.Create(new { givenName = GivenName, familyName = FamilyName, dateOfBirth = "14.07.1951", sex = "female" }));
        await SendAsync(HttpMethod.Put, $"{patients}/{patientId}", JsonContent.Create(patient));
        await SendAsync(HttpMethod.Post, $"{patients}/{patientId}/notes", JsonContent.Create(new { kind = "unknown-kind", body = NoteText }));
        await SendAsync(HttpMethod.Get, $"{patients}?name={GivenName}&dateOfBirth=14.07.1951");
        Assert.Contains(requests, r => (int)r.Status >= 400);

        // Positive control: every request's own events reached the store, so the check below is not vacuous.
        var stored = await StoredLogAsync(requests.Select(r => r.Id).ToList());
        var stdout = string.Join('\n', api.StandardOutput);
        foreach (var (id, _) in requests)
        {
            Assert.Contains(id, stdout, StringComparison.Ordinal);
        }

        foreach (var secret in Secrets)
        {
            Assert.False(stdout.Contains(secret, StringComparison.OrdinalIgnoreCase), $"stdout contains '{secret}':\n{api.Describe()}");
            Assert.False(stored.Contains(secret, StringComparison.OrdinalIgnoreCase), $"the stored log contains '{secret}'");
        }
    }

    /// <summary>Everything stored, once an event of each request id is there.</summary>
    private async Task<string> StoredLogAsync(List<string> requestIds)
    {
        await using var db = TestServers.OpenDbContext(_databaseUrl);
        for (var i = 0; i < TestTimeouts.Polls(100); i++)
        {
            var seen = await db.Database
                .SqlQuery<int>($"SELECT count(DISTINCT request_id)::int AS \"Value\" FROM log_events WHERE request_id = ANY({requestIds.ToArray()})")
                .SingleAsync();
            if (seen == requestIds.Count)
            {
                return await db.Database.SqlQuery<string>($"""
                    SELECT string_agg(concat_ws(' ', message, message_template, exception_type, exception, request_id, source, properties::text), E'\n') AS "Value"
                    FROM log_events
                    """).SingleAsync();
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The requests' events were not stored in time.");
    }

    private async Task<(Guid ClinicId, TestAccount Doctor)> ClinicWithDoctorAsync()
    {
        await using var db = TestServers.OpenDbContext(_databaseUrl);
        var clinic = new Clinic { Name = $"Logging clinic {Guid.NewGuid():N}", TimeZone = "America/New_York" };
        var password = $"Test-{Guid.NewGuid():N}";
        var user = new User
        {
            Email = $"doctor.{Guid.NewGuid():N}@tests.healthcare.test",
            DisplayName = "Test doctor",
            PasswordHash = PasswordHashing.Hash(password),
            EmailVerifiedAt = DateTimeOffset.UtcNow,
        };
        user.Memberships.Add(new ClinicMembership { ClinicId = clinic.Id, Role = ClinicRoles.Doctor });
        db.Clinics.Add(clinic);
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return (clinic.Id, new TestAccount(user.Id, user.Email, password));
    }
}
