using System.Text.Json.Nodes;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Platform;

/// <summary>The breaking-change check on the committed document, changed one way at a time.</summary>
public sealed class OpenApiBreakingChangesTests
{
    private const string Booking = "/api/v1/me/appointments";
    private const string Appointment = "/api/v1/clinics/{clinicId}/appointments/{id}";

    private static readonly JsonNode Committed = JsonNode.Parse(File.ReadAllText(
        Path.Combine(RepositoryPaths.Root, "tests", "Healthcare.IntegrationTests", "Platform", "Contract", "openapi.v1.json")))!;

    [Fact]
    public void TheSameDocumentHasNoBreakingChange() => Assert.Empty(OpenApiBreakingChanges.Find(Committed, Committed.DeepClone()));

    [Fact]
    public void AdditionsAreNotBreaking()
    {
        var after = Change(d =>
        {
            d["paths"]!.AsObject().Add("/api/v1/new-things", new JsonObject { ["get"] = new JsonObject { ["responses"] = new JsonObject() } });
            Schema(d, "MyBookingRequest")["properties"]!.AsObject().Add("note", new JsonObject { ["type"] = "string" });
            Schema(d, "AppointmentDto")["properties"]!.AsObject().Add("colour", new JsonObject { ["type"] = "string" });
            Schema(d, "NoteRequest")["properties"]!["kind"]!["enum"]!.AsArray().Add("letter");
            Operation(d, Booking, "get")["parameters"]!.AsArray().Add(new JsonObject { ["name"] = "status", ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string" } });
            Operation(d, Booking, "post")["responses"]!.AsObject().Add("418", new JsonObject { ["description"] = "Teapot" });
            Schema(d, "MyBookingRequest")["properties"]!["clinicId"]!["type"] = new JsonArray("null", "string");
        });

        Assert.Empty(OpenApiBreakingChanges.Find(Committed, after));
    }

    [Theory]
    [InlineData("operation removed", "DELETE /api/v1/clinics/{clinicId}/waitlist/{id}: operation removed")]
    [InlineData("answer field removed", ": field startsAt removed")]
    [InlineData("answer field optional", "field status is no longer always present")]
    [InlineData("input became required", "POST /api/v1/me/appointments: request (application/json): field locationId became required")]
    [InlineData("new required parameter", "GET /api/v1/me/appointments: new required query region parameter")]
    [InlineData("type changed", ".startsAt: may now be integer")]
    [InlineData("enum value removed", "enum value \"no_show\" removed")]
    [InlineData("range tightened", "POST /api/v1/me/appointments: header idempotency-key parameter: maxLength became 36")]
    [InlineData("header removed", $"GET {Appointment}: 200 answer: header ETag removed")]
    [InlineData("success status removed", "POST /api/v1/me/appointments: 201 answer removed")]
    [InlineData("nullable input", "POST /api/v1/me/appointments: request (application/json).locationId: no longer accepts null")]
    public void EachKindOfBreakingChangeIsFound(string change, string expected)
    {
        var after = Change(d =>
        {
            switch (change)
            {
                case "operation removed":
                    d["paths"]!["/api/v1/clinics/{clinicId}/waitlist/{id}"]!.AsObject().Remove("delete");
                    break;
                case "answer field removed":
                    Schema(d, "AppointmentDto")["properties"]!.AsObject().Remove("startsAt");
                    break;
                case "answer field optional":
                    Schema(d, "AppointmentDto")["required"]!.AsArray().RemoveAll(n => (string?)n == "status");
                    break;
                case "input became required":
                    Schema(d, "MyBookingRequest")["required"]!.AsArray().Add("locationId");
                    break;
                case "new required parameter":
                    Operation(d, Booking, "get")["parameters"]!.AsArray().Add(new JsonObject
                    {
                        ["name"] = "region",
                        ["in"] = "query",
                        ["required"] = true,
                        ["schema"] = new JsonObject { ["type"] = "string" },
                    });
                    break;
                case "type changed":
                    Schema(d, "AppointmentDto")["properties"]!["startsAt"] = new JsonObject { ["type"] = "integer" };
                    break;
                case "enum value removed":
                    Schema(d, "AppointmentDto")["properties"]!["status"]!["enum"]!.AsArray().RemoveAll(n => (string?)n == "no_show");
                    break;
                case "range tightened":
                    Operation(d, Booking, "post")["parameters"]![0]!["schema"]!["maxLength"] = 36;
                    break;
                case "header removed":
                    Operation(d, Appointment, "get")["responses"]!["200"]!["headers"]!.AsObject().Remove("ETag");
                    break;
                case "success status removed":
                    Operation(d, Booking, "post")["responses"]!.AsObject().Remove("201");
                    break;
                case "nullable input":
                    Schema(d, "MyBookingRequest")["properties"]!["locationId"]!["type"] = "string";
                    break;
            }
        });

        var found = OpenApiBreakingChanges.Find(Committed, after);
        Assert.True(found.Any(f => f.Contains(expected, StringComparison.Ordinal)), $"{change}: expected '{expected}' in\n{string.Join('\n', found)}");
    }

    private static JsonNode Change(Action<JsonNode> change)
    {
        var document = Committed.DeepClone();
        change(document);
        return document;
    }

    private static JsonNode Schema(JsonNode document, string name) => document["components"]!["schemas"]![name]!;

    private static JsonNode Operation(JsonNode document, string path, string method) => document["paths"]![path]![method]!;
}
