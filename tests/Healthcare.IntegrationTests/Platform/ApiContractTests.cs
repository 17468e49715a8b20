using System.Text.Json;
using Healthcare.Api.Platform;
using Healthcare.IntegrationTests.Security;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Platform;

/// <summary>
/// The document says what the pipeline does around the handlers (ADR 47): the properties a generated client
/// relies on, checked on the served document. The fuzzer's conformance checks prove the answers match it.
/// </summary>
public sealed class ApiContractTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private static readonly string[] ProblemMembers = ["traceId", "requestId", "errors", "conflict", "currentState"];

    [Fact]
    public async Task EveryRequestBodyHasAnExampleItsSchemaAccepts()
    {
        var conformance = new OpenApiConformance(await api.CreateClient().GetStringAsync("/openapi/v1.json"));
        Assert.Empty(conformance.CheckRequestExamples());
    }

    [Fact]
    public async Task EveryOperationStatesItsSecurityAndHasAUniqueOperationIdAndADescribedTag()
    {
        var document = await DocumentAsync();
        var operations = Operations(document).ToList();

        Assert.All(operations, o => Assert.True(o.Operation.TryGetProperty("security", out _), $"{o.Method} {o.Path} states no security requirement"));
        Assert.Empty(operations.Where(o => !o.Operation.TryGetProperty("operationId", out _)).Select(o => $"{o.Method} {o.Path}"));
        var ids = operations.Select(o => o.Operation.GetProperty("operationId").GetString()).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(document.GetProperty("tags").EnumerateArray(), tag =>
            Assert.False(string.IsNullOrWhiteSpace(tag.TryGetProperty("description", out var d) ? d.GetString() : null), $"tag {tag.GetProperty("name")} has no description"));

        var login = Operation(document, "/api/v1/auth/login", "post");
        Assert.Equal(0, login.GetProperty("security").GetArrayLength());
        var me = Operation(document, "/api/v1/me", "get");
        Assert.True(me.GetProperty("security")[0].TryGetProperty(ApiContract.BearerScheme, out _));
        Assert.All(document.GetProperty("servers").EnumerateArray(), s => Assert.False(s.GetProperty("url").GetString()!.EndsWith('/')));
    }

    [Fact]
    public async Task EveryErrorAnswerIsTheProblemSchemaAndThePipelinesStatusesAreDeclared()
    {
        var document = await DocumentAsync();

        foreach (var (path, method, operation) in Operations(document))
        {
            var responses = operation.GetProperty("responses");
            foreach (var response in responses.EnumerateObject().Where(r => r.Name[0] is '4' or '5'))
            {
                var schema = response.Value.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema");
                Assert.Equal($"#/components/schemas/{ProblemSchema.Name}", schema.GetProperty("$ref").GetString());
            }

            string[] expected = path.StartsWith("/api/", StringComparison.Ordinal) ? ["429", "503", "504"] : ["503", "504"];
            Assert.All(expected, status => Assert.True(responses.TryGetProperty(status, out _), $"{method} {path} does not declare {status}"));
        }

        var accessLog = Operation(document, "/api/v1/me/access-log", "get").GetProperty("responses");
        Assert.True(accessLog.TryGetProperty("400", out _), "a bad ?before= is a 400");
        var tooMany = accessLog.GetProperty("429").GetProperty("headers");
        Assert.True(tooMany.TryGetProperty("Retry-After", out _));
        var problem = document.GetProperty("components").GetProperty("schemas").GetProperty(ProblemSchema.Name).GetProperty("properties");
        Assert.All(ProblemMembers, member => Assert.True(problem.TryGetProperty(member, out _), member));
    }

    [Fact]
    public async Task HeadersTheApiReliesOnAreDeclared()
    {
        var document = await DocumentAsync();

        var update = Operation(document, "/api/v1/clinics/{clinicId}/patients/{id}", "put");
        var ifMatch = update.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == ApiContract.IfMatch);
        Assert.True(ifMatch.GetProperty("required").GetBoolean());
        Assert.True(update.GetProperty("responses").TryGetProperty("428", out _));
        Assert.True(update.GetProperty("responses").TryGetProperty("412", out _));
        var read = Operation(document, "/api/v1/clinics/{clinicId}/patients/{id}", "get").GetProperty("responses").GetProperty("200").GetProperty("headers");
        Assert.True(read.TryGetProperty(ApiContract.ETag, out _));
        Assert.True(read.TryGetProperty("RateLimit-Remaining", out _));

        var book = Operation(document, "/api/v1/clinics/{clinicId}/appointments", "post");
        Assert.Contains(book.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == Idempotency.KeyHeader);
        var created = book.GetProperty("responses").GetProperty("201").GetProperty("headers");
        Assert.True(created.TryGetProperty(ApiContract.Location, out _));
        Assert.True(created.TryGetProperty(Idempotency.ReplayedHeader, out _));
    }

    [Fact]
    public async Task SchemasSayWhatMayBeLeftOutWhichCodesAStringTakesAndTheirRanges()
    {
        var document = await DocumentAsync();
        var schemas = document.GetProperty("components").GetProperty("schemas");

        var booking = Names(schemas.GetProperty("BookAppointmentRequest").GetProperty("required"));
        Assert.DoesNotContain("locationId", booking);
        Assert.Contains("startsAt", booking);
        var allergy = schemas.GetProperty("AllergyRequest");
        Assert.Equal(["mild", "moderate", "severe", "life_threatening"], Names(allergy.GetProperty("properties").GetProperty("severity").GetProperty("enum")));
        Assert.DoesNotContain("reaction", Names(allergy.GetProperty("required")));
        Assert.Contains("female", Names(schemas.GetProperty("PatientDto").GetProperty("properties").GetProperty("sex").GetProperty("enum")));
        Assert.Equal(["email", "sms"], Names(schemas.GetProperty("NotificationPreferencesDto").GetProperty("properties").GetProperty("channel").GetProperty("enum")));

        var limit = Operation(document, "/api/v1/clinics/{clinicId}/patients", "get").GetProperty("parameters").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == "limit").GetProperty("schema");
        Assert.Equal(1, limit.GetProperty("minimum").GetInt32());
        Assert.Equal(Paging.MaxLimit, limit.GetProperty("maximum").GetInt32());

        var json = document.GetRawText();
        Assert.DoesNotContain("\"format\": \"time\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"format\":\"time\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("^-?(?:0|[1-9]\\\\d*)$", json, StringComparison.Ordinal);
    }

    private async Task<JsonElement> DocumentAsync() =>
        JsonDocument.Parse(await api.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement;

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(o => (p.Name, o.Name, o.Value)));

    private static JsonElement Operation(JsonElement document, string path, string method) =>
        document.GetProperty("paths").GetProperty(path).GetProperty(method);

    private static List<string?> Names(JsonElement array) => [.. array.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? null : e.GetString())];
}
