using System.Net;
using System.Text;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Platform;

public sealed class CorsApi : RunningApi
{
    public const string AllowedOrigin = "https://app.example.test";

    protected override void Configure(Dictionary<string, string?> settings)
    {
        settings["CORS_ALLOWED_ORIGINS"] = AllowedOrigin;
        settings["MAX_REQUEST_BODY_BYTES"] = "4096";
    }
}

/// <summary>What only the real Kestrel server shows: protocols, TLS, limits, headers, compression.</summary>
public sealed class HttpServerTests(CorsApi api) : IClassFixture<CorsApi>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = api.HttpAddress };

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task AHeaderWithBytesAboveAsciiGetsAProblemAnswerNotABareServerError()
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(api.HttpAddress.Host, api.HttpAddress.Port);
        var stream = tcp.GetStream();
        byte[] request =
        [
            .. Encoding.ASCII.GetBytes($"GET /api/v1/me HTTP/1.1\r\nHost: {api.HttpAddress.Authority}\r\nAuthorization: Bearer abc"),
            0xFF, 0xFE,
            .. Encoding.ASCII.GetBytes("\r\nConnection: close\r\n\r\n"),
        ];
        await stream.WriteAsync(request);

        using var reader = new StreamReader(stream, Encoding.Latin1);
        var answer = await reader.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 401", answer, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/problem+json", answer, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\"status\":401", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpsPortNegotiatesHttp2ByAlpn()
    {
        using var client = api.CreateTlsClient(HttpVersion.Version20);

        var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
    }

    [Fact]
    public async Task HttpsPortAlsoServesHttp11()
    {
        using var client = api.CreateTlsClient(HttpVersion.Version11);

        var response = await client.GetAsync("/health");

        Assert.Equal(HttpVersion.Version11, response.Version);
    }

    [Fact]
    public async Task CleartextHttp2PortServesPriorKnowledgeHttp2()
    {
        using var client = new HttpClient
        {
            BaseAddress = api.H2cAddress,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
    }

    [Fact]
    public async Task PlainPortServesHttp11()
    {
        var response = await _http.GetAsync("/health");

        Assert.Equal(HttpVersion.Version11, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task HstsIsSentOverTlsOnly()
    {
        using var tls = api.CreateTlsClient(HttpVersion.Version20);

        var secure = await tls.GetAsync("/health");
        var plain = await _http.GetAsync("/health");

        Assert.Contains("max-age=31536000", secure.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task ResponsesCarryNoServerBannerAndNosniff()
    {
        var response = await _http.GetAsync("/openapi/v1.json");

        Assert.False(response.Headers.Contains("Server"));
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task JsonResponsesAreCompressedWhenAsked(string encoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json");
        request.Headers.AcceptEncoding.ParseAdd(encoding);

        var response = await _http.SendAsync(request);

        Assert.Equal(encoding, response.Content.Headers.ContentEncoding.Single());
    }

    [Fact]
    public async Task ProblemDetailsAreCompressedToo()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/nothing-here");
        request.Headers.AcceptEncoding.ParseAdd("br");

        var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("br", response.Content.Headers.ContentEncoding.Single());
    }

    /// <summary>Requests whose body the server reads (and refuses) inside the application: a problem answer each.</summary>
    [Theory]
    [InlineData("an invalid chunk size", "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400)]
    [InlineData("a chunk without its line end", "Transfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n", 400)]
    [InlineData("a chunked body over the limit", "Transfer-Encoding: chunked\r\n\r\n1400\r\n{BODY}\r\n0\r\n\r\n", 413)]
    public async Task AMalformedBodyGetsAProblemAnswer(string what, string tail, int status)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(api.HttpAddress.Host, api.HttpAddress.Port);
        var stream = tcp.GetStream();
        var head = $"POST /api/v1/auth/login HTTP/1.1\r\nHost: {api.HttpAddress.Authority}\r\nContent-Type: application/json\r\nConnection: close\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head + tail.Replace("{BODY}", new string(' ', 0x1400), StringComparison.Ordinal)));

        using var reader = new StreamReader(stream, Encoding.Latin1);
        var answer = await reader.ReadToEndAsync();

        Assert.True(answer.StartsWith($"HTTP/1.1 {status}", StringComparison.Ordinal), $"{what}: {answer}");
        Assert.True(answer.Contains("Content-Type: application/problem+json", StringComparison.OrdinalIgnoreCase), $"{what}: {answer}");
        Assert.Contains($"\"status\":{status}", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BodyOverTheLimitAnswers413ProblemDetails()
    {
        var json = $$"""{"email":"a@example.com","password":"{{new string('x', 8000)}}"}""";

        var response = await _http.PostAsync("/api/v1/auth/login", new StringContent(json, Encoding.UTF8, "application/json"));

        await ProblemDetailsTests.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task AllowedOriginGetsCorsHeaders()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/me");
        request.Headers.Add("Origin", CorsApi.AllowedOrigin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "authorization");

        var response = await _http.SendAsync(request);

        Assert.Equal(CorsApi.AllowedOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task PreflightFromAnOriginNotListedGetsNoCorsHeaders()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/me");
        request.Headers.Add("Origin", "https://attacker.example.test");
        request.Headers.Add("Access-Control-Request-Method", "GET");
        request.Headers.Add("Access-Control-Request-Headers", "authorization");

        var response = await _http.SendAsync(request);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
        Assert.True((int)response.StatusCode < 500, $"got {(int)response.StatusCode}");
    }

    [Fact]
    public async Task OtherOriginsGetNoCorsHeaders()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Add("Origin", "https://evil.example.test");

        var response = await _http.SendAsync(request);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
