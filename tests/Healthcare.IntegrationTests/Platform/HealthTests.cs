using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Healthcare.Core.Identity;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Platform;

public sealed class HealthTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task LivenessAnswersWithoutCheckingDependencies()
    {
        var response = await api.CreateClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await ReadJsonAsync(response);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Empty(body.GetProperty("checks").EnumerateObject());
    }

    [Fact]
    public async Task ReadinessReportsPostgresRedisAndMigrationsWithDurations()
    {
        var response = await api.CreateClient().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var checks = (await ReadJsonAsync(response)).GetProperty("checks");
        foreach (var name in new[] { "postgres", "redis", "migrations" })
        {
            Assert.Equal("Healthy", checks.GetProperty(name).GetProperty("status").GetString());
            Assert.True(checks.GetProperty(name).GetProperty("durationMs").GetDouble() >= 0);
        }
    }

    [Fact]
    public async Task HealthEndpointsNeedNoAuthentication()
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", "not-a-token");

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }

    internal static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
}

public sealed class DatabaseDownApi : ApiFactory
{
    protected override bool MigrateDatabase => false;

    protected override Dictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["DATABASE_URL"] = TestServers.UnreachablePostgresUrl;
        return settings;
    }
}

public sealed class HealthWhenDatabaseIsDownTests(DatabaseDownApi api) : IClassFixture<DatabaseDownApi>
{
    [Fact]
    public async Task ReadinessAnswers503NamingPostgres()
    {
        var response = await api.CreateClient().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var body = await HealthTests.ReadJsonAsync(response);
        Assert.Equal("Unhealthy", body.GetProperty("status").GetString());
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("postgres").GetProperty("status").GetString());
        Assert.DoesNotContain("nothing", body.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LivenessStillAnswers200()
    {
        var response = await api.CreateClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ApiRequestsAnswer503ProblemDetailsNot500()
    {
        var response = await api.CreateClient().PostAsync(
            "/api/v1/auth/login",
            new StringContent("""{"email":"someone@example.com","password":"whatever-password"}""", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter);
    }
}

public sealed class RedisDownApi : ApiFactory
{
    protected override Dictionary<string, string?> Settings()
    {
        var settings = base.Settings();
        settings["REDIS_URL"] = TestServers.UnreachableRedisUrl;
        return settings;
    }
}

public sealed class HealthWhenRedisIsDownTests(RedisDownApi api) : IClassFixture<RedisDownApi>
{
    [Fact]
    public async Task ReadinessIsDegradedButStill200()
    {
        var response = await api.CreateClient().GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await HealthTests.ReadJsonAsync(response);
        Assert.Equal("Degraded", body.GetProperty("status").GetString());
        Assert.Equal("Degraded", body.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("postgres").GetProperty("status").GetString());
    }

    [Fact]
    public async Task SignedInReadsAndWritesStillWorkWithoutTheCache()
    {
        var setup = await Scheduling.ClinicSetup.CreateAsync(api);
        var client = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
        var day = Scheduling.ClinicSetup.Local(23, 0).ToString("yyyy-MM-dd", null);
        var availability = $"/api/v1/clinics/{setup.ClinicId}/practitioners/{setup.PractitionerId}/availability?appointmentTypeId={setup.TypeId}&from={day}&to={day}";

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(availability)).StatusCode);
        var booked = await client.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(Scheduling.ClinicSetup.Local(23, 9)));
        Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
        var slots = await client.GetFromJsonAsync<Healthcare.Api.Features.Scheduling.PractitionerSlotsDto>(availability);
        // Without the backplane this instance still forgets its own copy: the booked time is gone at once.
        Assert.DoesNotContain(slots!.Slots, s => s.StartsAt == Scheduling.ClinicSetup.Local(23, 9));
    }
}

public sealed class UnmigratedApi : ApiFactory
{
    protected override bool MigrateDatabase => false;
}

public sealed class HealthWhenMigrationsArePendingTests(UnmigratedApi api) : IClassFixture<UnmigratedApi>
{
    [Fact]
    public async Task ReadinessAnswers503UntilTheMigratorHasRun()
    {
        var client = api.CreateClient();

        var before = await client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
        var migrations = (await HealthTests.ReadJsonAsync(before)).GetProperty("checks").GetProperty("migrations");
        Assert.Equal("Unhealthy", migrations.GetProperty("status").GetString());
        Assert.Contains("pending", migrations.GetProperty("description").GetString(), StringComparison.Ordinal);

        await TestServers.MigrateAsync(api.DatabaseUrl);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready")).StatusCode);
    }
}
