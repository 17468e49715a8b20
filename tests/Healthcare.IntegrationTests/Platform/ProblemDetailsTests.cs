using System.Net;
using System.Text;
using System.Text.Json;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.IntegrationTests.Platform;

public sealed class ProblemDetailsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Login = "/api/v1/auth/login";

    [Fact]
    public async Task UnknownRouteAnswers404ProblemDetails()
    {
        var response = await api.CreateClient().GetAsync("/api/v1/no-such-thing");

        var problem = await AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task WrongMethodAnswers405ProblemDetails()
    {
        var response = await api.CreateClient().DeleteAsync(Login);

        await AssertProblemAsync(response, HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task MissingFieldsAnswer400WithAnErrorPerField()
    {
        var response = await PostJsonAsync(Login, "{}");

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("email", out _), problem.ToString());
        Assert.True(errors.TryGetProperty("password", out _), problem.ToString());
    }

    [Fact]
    public async Task InvalidFieldValueAnswers400NamingThatField()
    {
        var response = await PostJsonAsync(Login, """{"email":"not-an-address","password":"long enough password"}""");

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("email", out _), problem.ToString());
        Assert.False(errors.TryGetProperty("password", out _), problem.ToString());
    }

    [Fact]
    public async Task MalformedJsonAnswers400WithoutEchoingTheBody()
    {
        var response = await PostJsonAsync(Login, """{"email": "secret-value@example.com", "password": """);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.DoesNotContain("secret-value", problem.ToString(), StringComparison.Ordinal);
        Assert.True(problem.TryGetProperty("errors", out _), problem.ToString());
    }

    [Fact]
    public async Task WrongJsonTypeAnswers400NamingTheField()
    {
        var response = await PostJsonAsync(Login, """{"email": 42, "password": "long enough password"}""");

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("email", out _), problem.ToString());
    }

    [Fact]
    public async Task MissingBodyAnswers400()
    {
        var response = await api.CreateClient().PostAsync(Login, new StringContent("", Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task NonJsonContentTypeAnswers415()
    {
        var response = await api.CreateClient().PostAsync(Login, new StringContent("email=a&password=b", Encoding.UTF8, "text/plain"));

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task MissingTokenAnswers401ProblemDetails()
    {
        var response = await api.CreateClient().GetAsync("/api/v1/me");

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
    }

    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.Matches("^[0-9a-f]{32}$", problem.GetProperty("traceId").GetString());
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), problem.GetProperty("requestId").GetString());
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        return problem;
    }

    private Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        api.CreateClient().PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
}

public sealed class UnhandledErrorTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task UnexpectedFailureAnswers500WithoutStackTraceOrExceptionText()
    {
        var clinic = await api.CreateClinicAsync();
        var doctor = await api.CreateUserAsync("doctor", clinic.Id);
        var client = await api.ClientForAsync(doctor);
        // A schema the code does not expect makes the query fail in a way no handler anticipates.
        await api.WithOwnerDbAsync(db => db.Database.ExecuteSqlRawAsync("ALTER TABLE clinic_memberships RENAME COLUMN role TO role_renamed"));

        var response = await client.GetAsync("/api/v1/me");

        var problem = await ProblemDetailsTests.AssertProblemAsync(response, HttpStatusCode.InternalServerError);
        var text = problem.ToString();
        Assert.DoesNotContain("role", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.False(problem.TryGetProperty("developerDetail", out _));
    }
}
