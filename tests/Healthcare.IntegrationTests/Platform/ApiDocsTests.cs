using System.Net;
using System.Text.Json;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Platform;

public sealed class ApiDocsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task OpenApiDocumentDescribesEveryApiOperationsResponses()
    {
        var response = await api.CreateClient().GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(Healthcare.Api.Platform.ApiDocs.Title, document.GetProperty("info").GetProperty("title").GetString());
        var operations = document.GetProperty("paths").EnumerateObject()
            .Where(p => p.Name.StartsWith("/api/v1/", StringComparison.Ordinal))
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (Path: p.Name, Method: o.Name, Operation: o.Value)))
            .ToList();
        Assert.NotEmpty(operations);
        foreach (var (path, method, operation) in operations)
        {
            var responses = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
            Assert.True(responses.Any(r => r.StartsWith('2')), $"{method} {path} declares no success response");
        }

        var login = document.GetProperty("paths").GetProperty("/api/v1/auth/login").GetProperty("post").GetProperty("responses");
        Assert.True(login.TryGetProperty("200", out _));
        Assert.True(login.TryGetProperty("401", out _));
    }

    [Fact]
    public async Task InteractiveDocsAreServedAtDocs()
    {
        var response = await api.CreateClient().GetAsync("/docs");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(Healthcare.Api.Platform.ApiDocs.Title, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
