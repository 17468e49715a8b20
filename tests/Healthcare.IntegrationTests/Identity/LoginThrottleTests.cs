using System.Net;
using System.Net.Http.Json;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Platform;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Identity;

public sealed class LoginThrottleTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task RepeatedFailuresLockTheAddressEvenForTheRightPassword()
    {
        var clinic = await api.CreateClinicAsync();
        var account = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        var client = api.CreateClient();

        for (var i = 0; i < LoginThrottle.PairThreshold; i++)
        {
            var failed = await client.PostAsJsonAsync("/api/v1/auth/login", new { account.Email, password = $"wrong password {i}" });
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        var locked = await client.PostAsJsonAsync("/api/v1/auth/login", new { account.Email, account.Password });

        await ProblemDetailsTests.AssertProblemAsync(locked, (HttpStatusCode)429);
        var retryAfter = locked.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 30);
    }

    [Fact]
    public async Task UnknownAddressesAreThrottledTheSameWay()
    {
        var email = $"nobody.{Guid.NewGuid():N}@tests.healthcare.test";
        var client = api.CreateClient();

        for (var i = 0; i < LoginThrottle.PairThreshold; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password = "guess number " + i })).StatusCode);
        }

        Assert.Equal((HttpStatusCode)429, (await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password = "guess again" })).StatusCode);
    }

    [Fact]
    public async Task OtherAddressesAreNotAffected()
    {
        var clinic = await api.CreateClinicAsync();
        var victim = await api.CreateUserAsync(ClinicRoles.Nurse, clinic.Id);
        var bystander = await api.CreateUserAsync(ClinicRoles.Nurse, clinic.Id);
        for (var i = 0; i < LoginThrottle.PairThreshold + 1; i++)
        {
            await api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { victim.Email, password = "wrong again " + i });
        }

        var response = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { bystander.Email, bystander.Password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
