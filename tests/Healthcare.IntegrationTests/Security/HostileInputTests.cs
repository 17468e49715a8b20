using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Healthcare.Api.Features.Patients;
using Healthcare.Core.Identity;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.IntegrationTests.Security;

/// <summary>
/// Input built to break parsers, queries and pages answers as a clean client error, or is stored and given back
/// exactly as sent, as JSON data that no browser or database ever runs. (Oversized bodies: HttpServerTests;
/// malformed JSON, wrong JSON types and content types: ProblemDetailsTests.)
/// </summary>
public sealed class HostileInputTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task DeeplyNestedJsonAnswers400InsteadOfExhaustingTheStack()
    {
        var nested = $$"""{"email":{{new string('[', 10_000)}}{{new string(']', 10_000)}},"password":"long enough password"}""";

        var response = await api.CreateClient().PostAsync("/api/v1/auth/login", new StringContent(nested, Encoding.UTF8, "application/json"));

        await ProblemAssert.StatusAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ANullElementInAListBodyAnswers400NamingItsPosition()
    {
        var setup = await Scheduling.ClinicSetup.CreateAsync(api, patients: 0);
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, setup.ClinicId));
        var body = $$"""[{"day":"monday","starts":"08:00","ends":"12:00","locationId":"{{setup.LocationId}}"},null]""";

        var response = await admin.PutAsync(
            $"/api/v1/clinics/{setup.ClinicId}/practitioners/{setup.PractitionerId}/working-hours",
            new StringContent(body, Encoding.UTF8, "application/json"));

        await ProblemAssert.FieldAsync(response, HttpStatusCode.BadRequest, "$[1]");
        var practitioner = $$"""{"displayName":"Dr Null","licenceNumber":"NY-1","specialties":[null],"locationIds":["{{setup.LocationId}}"]}""";
        var created = await admin.PostAsync(
            $"/api/v1/clinics/{setup.ClinicId}/practitioners", new StringContent(practitioner, Encoding.UTF8, "application/json"));
        await ProblemAssert.StatusAsync(created, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task InvalidUtf8InAJsonBodyAnswers400()
    {
        var bytes = Encoding.ASCII.GetBytes("""{"email":"ab@example.test","password":"xx""").Concat(new byte[] { 0xC3, 0x28, 0xFF, 0xFE }).Concat(Encoding.ASCII.GetBytes("\"}")).ToArray();
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };

        var response = await api.CreateClient().PostAsync("/api/v1/auth/login", content);

        await ProblemAssert.StatusAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("100000")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("2147483648")]
    [InlineData("99999999999999999999")]
    [InlineData("ten")]
    public async Task OutOfRangeOrMalformedLimitAnswers400NamingLimit(string limit)
    {
        var (clinicId, client) = await ReceptionistAsync();

        var response = await client.GetAsync($"/api/v1/clinics/{clinicId}/patients?limit={limit}");

        await ProblemAssert.FieldAsync(response, HttpStatusCode.BadRequest, "limit");
    }

    [Theory]
    [InlineData("appointments?from=0001-01-01T00:00:00Z&to=9999-12-31T23:59:59Z")]
    [InlineData("appointments?from=9999-12-31T23:59:59.9999999Z")]
    [InlineData("appointments/queue?date=0001-01-01")]
    [InlineData("appointments/queue?date=9999-12-31")]
    [InlineData("availability?from=9999-12-30&to=9999-12-31&appointmentTypeId=00000000-0000-0000-0000-000000000001")]
    [InlineData("availability?from=0001-01-01&to=0001-01-02&appointmentTypeId=00000000-0000-0000-0000-000000000001")]
    public async Task FarPastAndFarFutureDatesNeverCauseAServerError(string query)
    {
        var (clinicId, client) = await ReceptionistAsync();

        var response = await client.GetAsync($"/api/v1/clinics/{clinicId}/{query}");

        OpenApiFuzzTests.AssertSafeAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("'; DROP TABLE patients; --")]
    [InlineData("Robert\" OR \"1\"=\"1")]
    [InlineData("<script>alert('x')</script>")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("{{7*7}} ${7*7}")]
    [InlineData("Zoë 😀 \u202Eevil")]
    public async Task InjectionStringsAreStoredAndReturnedVerbatimAsInertJson(string hostile)
    {
        var (clinicId, client) = await ReceptionistAsync();

        var created = await client.PostAsJsonAsync($"/api/v1/clinics/{clinicId}/patients", NewPatient(hostile));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<PatientCreatedDto>(ApiJson.Options))!.Patient.Id;
        var read = await client.GetAsync($"/api/v1/clinics/{clinicId}/patients/{id}");

        var raw = await read.Content.ReadAsStringAsync();
        // Markup goes out as JSON text under a JSON type that browsers may not sniff into HTML.
        Assert.Equal("application/json", read.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", read.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(hostile, JsonDocument.Parse(raw).RootElement.GetProperty("familyName").GetString());
        Assert.True(await api.WithDbAsync(db => db.Patients.AnyAsync()), "the patients table is still there and readable");
    }

    [Fact]
    public async Task NullByteInATextFieldAnswers400InsteadOfBeingTruncated()
    {
        var (clinicId, client) = await ReceptionistAsync();

        var response = await client.PostAsJsonAsync($"/api/v1/clinics/{clinicId}/patients", NewPatient("Null\u0000Byte"));

        await ProblemAssert.StatusAsync(response, HttpStatusCode.BadRequest);
        Assert.False(await api.WithDbAsync(db => db.Patients.AnyAsync(p => p.ClinicId == clinicId)));
    }

    [Fact]
    public async Task InjectionInASearchParameterIsTreatedAsText()
    {
        var (clinicId, client) = await ReceptionistAsync();
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/v1/clinics/{clinicId}/patients", NewPatient("Searchable"))).StatusCode);

        var injected = await client.GetAsync($"/api/v1/clinics/{clinicId}/patients?name={Uri.EscapeDataString("x' OR '1'='1")}");
        var wildcard = await client.GetAsync($"/api/v1/clinics/{clinicId}/patients?name={Uri.EscapeDataString("%")}");

        Assert.Equal(HttpStatusCode.OK, injected.StatusCode);
        Assert.Equal(0, JsonDocument.Parse(await injected.Content.ReadAsStringAsync()).RootElement.GetProperty("items").GetArrayLength());
        Assert.True(wildcard.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"got {(int)wildcard.StatusCode}");
        if (wildcard.StatusCode == HttpStatusCode.OK)
        {
            Assert.Equal(0, JsonDocument.Parse(await wildcard.Content.ReadAsStringAsync()).RootElement.GetProperty("items").GetArrayLength());
        }
    }

    private async Task<(Guid ClinicId, HttpClient Client)> ReceptionistAsync()
    {
        var clinic = await api.CreateClinicAsync();
        return (clinic.Id, await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, clinic.Id)));
    }

    private static PatientRequest NewPatient(string familyName) => new(
        "Hostile", familyName, new DateOnly(1980, 2, 29), "female", null, null, null, null, "en", null, null, null, null);
}
