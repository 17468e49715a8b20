using System.Net;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Platform;

public sealed class RequestTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task WellFormedIncomingRequestIdIsKept()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Add("X-Request-Id", "client-req.42:abc_DEF");

        var response = await api.CreateClient().SendAsync(request);

        Assert.Equal("client-req.42:abc_DEF", response.Headers.GetValues("X-Request-Id").Single());
    }

    [Theory]
    [InlineData("has spaces in it")]
    [InlineData("newline\\nforged")]
    [InlineData("<script>")]
    public async Task MalformedIncomingRequestIdIsReplaced(string incoming)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.TryAddWithoutValidation("X-Request-Id", incoming);

        var response = await api.CreateClient().SendAsync(request);

        Assert.Matches("^[0-9a-f]{32}$", response.Headers.GetValues("X-Request-Id").Single());
    }

    [Fact]
    public async Task OverlongIncomingRequestIdIsReplaced()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Add("X-Request-Id", new string('a', 129));

        var response = await api.CreateClient().SendAsync(request);

        Assert.Matches("^[0-9a-f]{32}$", response.Headers.GetValues("X-Request-Id").Single());
    }

    [Fact]
    public async Task EveryResponseCarriesARequestIdIncludingErrors()
    {
        var client = api.CreateClient();

        var ok = await client.GetAsync("/health");
        var missing = await client.GetAsync("/nope");

        Assert.NotEqual(ok.Headers.GetValues("X-Request-Id").Single(), missing.Headers.GetValues("X-Request-Id").Single());
    }

    [Fact]
    public async Task ApiAnswersAreNeverCached()
    {
        var response = await api.CreateClient().GetAsync("/api/v1/me");

        Assert.True(response.Headers.CacheControl?.NoStore, response.Headers.ToString());
    }

    [Fact]
    public async Task NoCorsHeadersWhenNoOriginIsConfigured()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/me");
        request.Headers.Add("Origin", "https://app.example.test");
        request.Headers.Add("Access-Control-Request-Method", "GET");

        var response = await api.CreateClient().SendAsync(request);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
    }
}
