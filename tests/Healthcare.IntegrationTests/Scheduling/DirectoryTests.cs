using System.Net;
using System.Net.Http.Json;
using Healthcare.Api.Features.Clinics;
using Healthcare.Api.Features.Practitioners;
using Healthcare.Api.Features.Scheduling;
using Healthcare.Api.Platform;
using Healthcare.Core.Identity;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Scheduling;

public sealed class DirectoryTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly string[] Cardiology = ["cardiology"];

    [Fact]
    public async Task AClinicAdminUpdatesTheProfileWithIfMatchAndAValidTimeZone()
    {
        var clinic = await api.CreateClinicAsync();
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id));
        var url = $"/api/v1/clinics/{clinic.Id}";
        var read = await admin.GetAsync(url);
        var profile = new
        {
            name = $"Harbour Clinic {Guid.NewGuid():N}",
            timeZone = "Europe/Berlin",
            phone = "+49 30 1234567",
            email = "Desk@Harbour.example",
            openingHours = new[] { new { day = "monday", opens = "08:00", closes = "18:00" } },
            policy = new { cancellationWindowHours = 48, reminderOffsetsMinutes = new[] { 2880, 60 }, noShowGraceMinutes = 10, waitlistHoldMinutes = 60 },
        };

        var withoutIfMatch = await admin.PutAsJsonAsync(url, profile);
        var badZone = await SendAsync(admin, HttpMethod.Put, url, profile with { timeZone = "Mars/Olympus" }, read.Headers.ETag!.Tag);
        var updated = await SendAsync(admin, HttpMethod.Put, url, profile, read.Headers.ETag.Tag);
        var stale = await SendAsync(admin, HttpMethod.Put, url, profile, read.Headers.ETag.Tag);

        await ProblemAssert.StatusAsync(withoutIfMatch, (HttpStatusCode)428);
        await ProblemAssert.FieldAsync(badZone, HttpStatusCode.BadRequest, "timeZone");
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var dto = (await updated.Content.ReadFromJsonAsync<ClinicDto>(ApiJson.Options))!;
        Assert.Equal(("Europe/Berlin", "desk@harbour.example", 48, DayOfWeek.Monday), (dto.TimeZone, dto.Email, dto.Policy.CancellationWindowHours, dto.OpeningHours[0].Day));
        await ProblemAssert.StatusAsync(stale, HttpStatusCode.PreconditionFailed);
        Assert.Contains("\"day\":\"monday\"", await (await admin.GetAsync(url)).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProfileChangedOnOneInstanceIsReadOnTheOtherAtOnce()
    {
        await using var peer = new PeerApiFactory(api);
        await peer.InitializeAsync();
        var clinic = await api.CreateClinicAsync();
        var account = await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id);
        var first = await api.ClientForAsync(account);
        var second = await peer.ClientForAsync(account);
        var url = $"/api/v1/clinics/{clinic.Id}";
        var before = await second.GetAsync(url); // cached on the second instance now
        var read = await first.GetAsync(url);
        var name = $"Renamed Clinic {Guid.NewGuid():N}";
        var profile = new
        {
            name,
            timeZone = "America/New_York",
            openingHours = Array.Empty<object>(),
            policy = new { cancellationWindowHours = 24, reminderOffsetsMinutes = new[] { 60 }, noShowGraceMinutes = 15, waitlistHoldMinutes = 30 },
        };

        var updated = await SendAsync(first, HttpMethod.Put, url, profile, read.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        // The backplane's eviction message travels through Redis.
        var after = await Eventually.ReadAsync(() => second.GetAsync(url), response => Equals(response.Headers.ETag, updated.Headers.ETag));

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(name, (await after.Content.ReadFromJsonAsync<ClinicDto>(ApiJson.Options))!.Name);
        Assert.Equal(updated.Headers.ETag, after.Headers.ETag);
    }

    [Fact]
    public async Task APractitionerChangedOnOneInstanceIsReadOnTheOtherAtOnce()
    {
        await using var peer = new PeerApiFactory(api);
        await peer.InitializeAsync();
        var clinic = await api.CreateClinicAsync();
        var otherClinic = await api.CreateClinicAsync();
        var account = await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id);
        var first = await api.ClientForAsync(account);
        var second = await peer.ClientForAsync(account);
        var outsider = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, otherClinic.Id));
        var created = await first.PostAsJsonAsync($"/api/v1/clinics/{clinic.Id}/practitioners", new { displayName = "Dr Before", licenceNumber = "NY-1", specialties = Cardiology });
        var id = (await created.Content.ReadFromJsonAsync<PractitionerDto>(ApiJson.Options))!.Id;
        var url = $"/api/v1/clinics/{clinic.Id}/practitioners/{id}";
        var before = await second.GetAsync(url); // cached on the second instance now
        var read = await first.GetAsync(url);

        var updated = await SendAsync(first, HttpMethod.Put, url, new { displayName = "Dr After", licenceNumber = "NY-1", specialties = Cardiology }, read.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        // The backplane's eviction message travels through Redis.
        var after = await Eventually.ReadAsync(() => second.GetAsync(url), response => Equals(response.Headers.ETag, updated.Headers.ETag));

        Assert.Equal("Dr Before", (await before.Content.ReadFromJsonAsync<PractitionerDto>(ApiJson.Options))!.DisplayName);
        Assert.Equal("Dr After", (await after.Content.ReadFromJsonAsync<PractitionerDto>(ApiJson.Options))!.DisplayName);
        Assert.Equal(updated.Headers.ETag, after.Headers.ETag);
        // The cached profile is the clinic's own: through another clinic's route it does not exist.
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.GetAsync($"/api/v1/clinics/{otherClinic.Id}/practitioners/{id}")).StatusCode);
    }

    [Fact]
    public async Task AdminsBuildTheDirectoryAndEveryoneInTheClinicCanReadIt()
    {
        var clinic = await api.CreateClinicAsync();
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id));
        var patient = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Patient, clinic.Id));
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        var baseUrl = $"/api/v1/clinics/{clinic.Id}";

        var location = (await (await admin.PostAsJsonAsync($"{baseUrl}/locations", new { name = "North" })).Content.ReadFromJsonAsync<LocationDto>())!;
        var type = await admin.PostAsJsonAsync($"{baseUrl}/appointment-types", new { name = "Video consult", mode = "video", durationMinutes = 20, bufferMinutes = 5 });
        var badType = await admin.PostAsJsonAsync($"{baseUrl}/appointment-types", new { name = "Teleport", mode = "teleport", durationMinutes = 20, bufferMinutes = 5 });
        var practitioner = await admin.PostAsJsonAsync($"{baseUrl}/practitioners", new
        {
            displayName = "Dr Ada Lovelace",
            specialties = Cardiology,
            licenceNumber = "MD-42",
            locationIds = new[] { location.Id },
            userId = doctor.Id,
        });
        var practitionerId = (await practitioner.Content.ReadFromJsonAsync<PractitionerDto>())!.Id;
        var overlapping = await admin.PutAsJsonAsync($"{baseUrl}/practitioners/{practitionerId}/working-hours", new[]
        {
            new { day = "tuesday", starts = "09:00", ends = "13:00", locationId = location.Id },
            new { day = "tuesday", starts = "12:00", ends = "17:00", locationId = location.Id },
        });
        var hours = await admin.PutAsJsonAsync($"{baseUrl}/practitioners/{practitionerId}/working-hours", new[]
        {
            new { day = "tuesday", starts = "09:00", ends = "13:00", locationId = location.Id },
            new { day = "thursday", starts = "14:00", ends = "18:00", locationId = location.Id },
        });
        var elsewhere = await admin.PutAsJsonAsync($"{baseUrl}/practitioners/{practitionerId}/working-hours", new[]
        {
            new { day = "friday", starts = "09:00", ends = "13:00", locationId = Guid.NewGuid() },
        });
        var patientCreates = await patient.PostAsJsonAsync($"{baseUrl}/locations", new { name = "Mine" });

        Assert.Equal(HttpStatusCode.Created, type.StatusCode);
        await ProblemAssert.FieldAsync(badType, HttpStatusCode.BadRequest, "mode");
        Assert.Equal(HttpStatusCode.Created, practitioner.StatusCode);
        await ProblemAssert.FieldAsync(overlapping, HttpStatusCode.BadRequest, "starts");
        Assert.Equal(HttpStatusCode.OK, hours.StatusCode);
        await ProblemAssert.FieldAsync(elsewhere, HttpStatusCode.BadRequest, "locationId");
        Assert.Equal(HttpStatusCode.Forbidden, patientCreates.StatusCode);

        var listed = await patient.GetFromJsonAsync<Page<PractitionerDto>>($"{baseUrl}/practitioners?specialty=cardiology&locationId={location.Id}");
        var readHours = await patient.GetFromJsonAsync<List<WorkingHoursDto>>($"{baseUrl}/practitioners/{practitionerId}/working-hours", ApiJson.Options);
        var types = await patient.GetFromJsonAsync<List<AppointmentTypeDto>>($"{baseUrl}/appointment-types");
        Assert.Equal(practitionerId, Assert.Single(listed!.Items).Id);
        Assert.Equal([DayOfWeek.Tuesday, DayOfWeek.Thursday], readHours!.Select(h => h.Day));
        Assert.Equal("video", Assert.Single(types!).Mode);
    }

    [Fact]
    public async Task APractitionerCanOnlyBeLinkedToAClinicianOfTheSameClinic()
    {
        var clinic = await api.CreateClinicAsync();
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id));
        var receptionist = await api.CreateUserAsync(ClinicRoles.Receptionist, clinic.Id);
        var otherClinicsDoctor = await api.CreateUserAsync(ClinicRoles.Doctor, (await api.CreateClinicAsync()).Id);

        foreach (var userId in new[] { receptionist.Id, otherClinicsDoctor.Id })
        {
            var response = await admin.PostAsJsonAsync($"/api/v1/clinics/{clinic.Id}/practitioners", new { displayName = "Dr X", licenceNumber = "L-1", userId });
            await ProblemAssert.FieldAsync(response, HttpStatusCode.BadRequest, "userId");
        }
    }

    [Fact]
    public async Task OnlyPlatformAdminsOpenClinics()
    {
        var clinic = await api.CreateClinicAsync();
        var clinicAdmin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id));
        var superAdmin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.SuperAdmin));
        var body = new { name = $"New Clinic {Guid.NewGuid():N}", timeZone = "America/Chicago" };

        var refused = await clinicAdmin.PostAsJsonAsync("/api/v1/clinics", body);
        var created = await superAdmin.PostAsJsonAsync("/api/v1/clinics", body);
        var duplicate = await superAdmin.PostAsJsonAsync("/api/v1/clinics", body);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(24, (await created.Content.ReadFromJsonAsync<ClinicDto>(ApiJson.Options))!.Policy.CancellationWindowHours);
        await ProblemAssert.StatusAsync(duplicate, HttpStatusCode.Conflict);
    }

    private static async Task<HttpResponseMessage> SendAsync<T>(HttpClient client, HttpMethod method, string url, T body, string ifMatch)
    {
        using var request = new HttpRequestMessage(method, url) { Content = JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return await client.SendAsync(request);
    }
}
