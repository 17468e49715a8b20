using System.Net;
using System.Text.Json;
using Healthcare.IntegrationTests.Platform;

namespace Healthcare.IntegrationTests;

/// <summary>Assertions on RFC 9457 problem answers.</summary>
internal static class ProblemAssert
{
    /// <summary>The answer is a well-formed problem with <paramref name="status"/>; returns its body.</summary>
    public static Task<JsonElement> StatusAsync(HttpResponseMessage response, HttpStatusCode status) =>
        ProblemDetailsTests.AssertProblemAsync(response, status);

    /// <summary>The answer is a problem with <paramref name="status"/> whose <c>errors</c> name <paramref name="field"/>.</summary>
    public static async Task<JsonElement> FieldAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        var problem = await StatusAsync(response, status);
        Assert.True(
            problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _),
            $"expected an error for '{field}', got: {problem}");
        return problem;
    }
}

/// <summary>The API's JSON conventions on the client side: web defaults, enums as camel-case words.</summary>
internal static class ApiJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
