using System.Net;
using System.Net.Http.Json;
using Healthcare.Api.Features.Practitioners;
using Healthcare.Api.Features.Scheduling;
using Healthcare.Core.Identity;
using Healthcare.Core.Scheduling;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.IntegrationTests.Scheduling;

public sealed class AvailabilityApiTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task OnTheSpringForwardDaySlotsKeepTheirWallClockTimesAndTakeTheNewOffset()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var client = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Patient, setup.ClinicId));

        // US daylight saving time starts on Sunday 2027-03-14 at 02:00.
        var slots = await SlotsAsync(client, setup, "2027-03-13", "2027-03-14");

        var saturday = slots.Where(s => s.StartsAt.Day == 13).ToList();
        var sunday = slots.Where(s => s.StartsAt.Day == 14).ToList();
        Assert.Equal(saturday.Count, sunday.Count);
        Assert.Equal("2027-03-13T08:00:00-05:00", saturday[0].StartsAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", null));
        Assert.Equal("2027-03-14T08:00:00-04:00", sunday[0].StartsAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", null));
        Assert.Equal(TimeSpan.FromHours(23), sunday[0].StartsAt - saturday[0].StartsAt);
        Assert.Equal("17:30", sunday[^1].StartsAt.ToString("HH:mm", null));
    }

    [Fact]
    public async Task OnTheFallBackDayTheRepeatedHourIsOfferedTwice()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        await api.WithDbAsync(async db =>
        {
            await db.WorkingHours.Where(w => w.PractitionerId == setup.PractitionerId && w.Day == DayOfWeek.Sunday)
                .ExecuteUpdateAsync(w => w.SetProperty(x => x.Starts, new TimeOnly(0, 30)).SetProperty(x => x.Ends, new TimeOnly(2, 0)));
            return 0;
        });
        var client = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));

        // US daylight saving time ends on Sunday 2027-11-07 at 02:00 (01:00-02:00 happens twice).
        var slots = await SlotsAsync(client, setup, "2027-11-07", "2027-11-07");

        Assert.Equal(
            ["00:30-04:00", "00:45-04:00", "01:00-04:00", "01:15-04:00", "01:30-04:00", "01:45-04:00", "01:00-05:00", "01:15-05:00", "01:30-05:00"],
            slots.Select(s => s.StartsAt.ToString("HH:mmzzz", null)));
    }

    [Fact]
    public async Task ABookingMadeOnOneInstanceDisappearsFromTheOtherInstancesAvailability()
    {
        await using var peer = new PeerApiFactory(api);
        await peer.InitializeAsync();
        var setup = await ClinicSetup.CreateAsync(api);
        var account = await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId);
        var first = await api.ClientForAsync(account);
        var second = await peer.ClientForAsync(account);
        var day = ClinicSetup.Local(20, 0).ToString("yyyy-MM-dd", null);
        var before = await SlotsAsync(second, setup, day, day);

        var booked = await first.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(ClinicSetup.Local(20, 9)));
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        // The backplane's eviction message travels through Redis.
        var after = await Eventually.ReadAsync(() => SlotsAsync(second, setup, day, day), slots => !slots.Any(s => s.StartsAt == ClinicSetup.Local(20, 9)));

        Assert.Contains(before, s => s.StartsAt == ClinicSetup.Local(20, 9));
        // 09:00 is taken; 08:30-09:30 would overlap it (or its buffer), as would 08:45 and 09:15.
        Assert.DoesNotContain(after, s => s.StartsAt >= ClinicSetup.Local(20, 8, 30) && s.StartsAt < ClinicSetup.Local(20, 9, 40));
        Assert.Contains(after, s => s.StartsAt == ClinicSetup.Local(20, 9, 45));
    }

    [Fact]
    public async Task ComputedSlotsAreSharedThroughRedisAndForgottenThereOnABooking()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var account = await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId);
        var client = await api.ClientForAsync(account);
        var day = ClinicSetup.Local(22, 0).ToString("yyyy-MM-dd", null);
        await using var redis = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(
            Healthcare.Core.Configuration.RedisConnection.Parse(TestServers.RedisUrl));
        var pattern = $"*hb:cache:availability:{setup.PractitionerId:N}:*";

        await SlotsAsync(client, setup, day, day);
        // The second level is written in the background.
        var keys = await Eventually.ReadAsync(() => Task.FromResult(redis.GetServers()[0].Keys(pattern: pattern).ToList()), found => found.Count > 0);
        Assert.Single(keys);

        var booked = await client.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(ClinicSetup.Local(22, 9)));
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        var after = await SlotsAsync(client, setup, day, day);
        Assert.DoesNotContain(after, s => s.StartsAt == ClinicSetup.Local(22, 9));
    }

    [Fact]
    public async Task PatientsFindSlotsBySpecialtyAndBadRangesAre400()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var client = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Patient, setup.ClinicId));
        var day = ClinicSetup.Local(21, 0).ToString("yyyy-MM-dd", null);
        var url = $"/api/v1/clinics/{setup.ClinicId}/availability?appointmentTypeId={setup.TypeId}&from={day}&to={day}";

        var cardiology = await client.GetFromJsonAsync<List<PractitionerSlotsDto>>($"{url}&specialty=cardiology");
        var dermatology = await client.GetFromJsonAsync<List<PractitionerSlotsDto>>($"{url}&specialty=dermatology");
        var tooLong = await client.GetAsync(
            $"/api/v1/clinics/{setup.ClinicId}/practitioners/{setup.PractitionerId}/availability?appointmentTypeId={setup.TypeId}&from=2027-01-01&to=2027-03-01");
        var backwards = await client.GetAsync(
            $"/api/v1/clinics/{setup.ClinicId}/practitioners/{setup.PractitionerId}/availability?appointmentTypeId={setup.TypeId}&from=2027-01-02&to=2027-01-01");
        var unknown = await client.GetAsync($"{url}&specialty=cardiology&patientId={Guid.NewGuid()}");

        Assert.Equal(setup.PractitionerId, Assert.Single(cardiology!).PractitionerId);
        Assert.Equal(39, cardiology![0].Slots.Count); // starts from 08:00 to 17:30 every 15 minutes: a 30-minute visit ends by 18:00
        Assert.Empty(dermatology!);
        await ProblemAssert.FieldAsync(tooLong, HttpStatusCode.BadRequest, "to");
        await ProblemAssert.FieldAsync(backwards, HttpStatusCode.BadRequest, "to");
        await ProblemAssert.FieldAsync(unknown, HttpStatusCode.BadRequest, "patientId");
    }

    [Fact]
    public async Task TimeOffRemovesSlotsAndReportsAffectedAppointments()
    {
        var setup = await ClinicSetup.CreateAsync(api);
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, setup.ClinicId));
        var booked = await admin.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(ClinicSetup.Local(22, 10)));
        var appointmentId = (await booked.Content.ReadFromJsonAsync<AppointmentDto>())!.Id;
        var day = ClinicSetup.Local(22, 0).ToString("yyyy-MM-dd", null);

        var away = await admin.PostAsJsonAsync(
            $"/api/v1/clinics/{setup.ClinicId}/practitioners/{setup.PractitionerId}/time-off",
            new { startsAt = ClinicSetup.Local(22, 8), endsAt = ClinicSetup.Local(22, 13), reason = "conference" });
        var slots = await SlotsAsync(admin, setup, day, day);

        Assert.Equal(appointmentId, Assert.Single((await away.Content.ReadFromJsonAsync<TimeOffCreatedDto>())!.AffectedAppointments));
        Assert.Equal(ClinicSetup.Local(22, 13), slots[0].StartsAt);
    }

    [Fact]
    public async Task AChangedOrRetiredVisitTypeReachesEveryInstancesAvailabilityAtOnce()
    {
        await using var peer = new PeerApiFactory(api);
        await peer.InitializeAsync();
        var setup = await ClinicSetup.CreateAsync(api);
        var account = await api.CreateUserAsync(ClinicRoles.ClinicAdmin, setup.ClinicId);
        var first = await api.ClientForAsync(account);
        var second = await peer.ClientForAsync(account);
        var day = ClinicSetup.Local(23, 0).ToString("yyyy-MM-dd", null);
        var type = $"/api/v1/clinics/{setup.ClinicId}/appointment-types/{setup.TypeId}";
        // The first instance now holds the type (and the slots) in its cache.
        var before = await SlotsAsync(first, setup, day, day);

        var longer = await PutAsync(second, type, new { name = "Long consultation", mode = VisitModes.InPerson, durationMinutes = 60, bufferMinutes = 0 });
        Assert.Equal(HttpStatusCode.OK, longer.StatusCode);
        var after = await Eventually.ReadAsync(() => SlotsAsync(first, setup, day, day), slots => slots.All(s => s.EndsAt - s.StartsAt == TimeSpan.FromHours(1)));

        var retired = await PutAsync(second, type, new { name = "Long consultation", mode = VisitModes.InPerson, durationMinutes = 60, bufferMinutes = 0, isActive = false });
        Assert.Equal(HttpStatusCode.OK, retired.StatusCode);
        var refused = await Eventually.ReadAsync(
            () => first.GetAsync($"/api/v1/clinics/{setup.ClinicId}/practitioners/{setup.PractitionerId}/availability?appointmentTypeId={setup.TypeId}&from={day}&to={day}"),
            response => response.StatusCode == HttpStatusCode.BadRequest);

        Assert.NotEqual(TimeSpan.FromHours(1), before[0].EndsAt - before[0].StartsAt);
        Assert.NotEmpty(after);
        await ProblemAssert.FieldAsync(refused, HttpStatusCode.BadRequest, "appointmentTypeId");
    }

    private static async Task<HttpResponseMessage> PutAsync(HttpClient client, string path, object body)
    {
        var current = await client.GetAsync(path);
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body) };
        request.Headers.IfMatch.Add(current.Headers.ETag!);
        return await client.SendAsync(request);
    }

    private static async Task<List<SlotDto>> SlotsAsync(HttpClient client, ClinicSetup setup, string from, string to)
    {
        var response = await client.GetAsync(
            $"/api/v1/clinics/{setup.ClinicId}/practitioners/{setup.PractitionerId}/availability?appointmentTypeId={setup.TypeId}&from={from}&to={to}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<PractitionerSlotsDto>())!.Slots.ToList();
    }
}
