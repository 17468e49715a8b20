using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace Healthcare.Api.Platform;

/// <summary>
/// The one schema of every error body (RFC 9457 problem details, <c>application/problem+json</c>), with the
/// extension members the API writes: always <c>traceId</c> and <c>requestId</c> (see <see cref="Problems"/>), and
/// on some answers one of the members below. Clients read <c>errors</c> for the fields at fault.
/// </summary>
public static class ProblemSchema
{
    public const string Name = "Problem";
    public const string MediaType = "application/problem+json";

    /// <summary>Extension members beside the standard ones, with what each means and when it appears.</summary>
    private static readonly (string Name, JsonSchemaType Type, string Description)[] Extensions =
    [
        ("traceId", JsonSchemaType.String, "The W3C trace id of the request (32 hex digits), to find it in traces and logs."),
        ("requestId", JsonSchemaType.String, "The request id, also answered in X-Request-Id; quote it when reporting a problem."),
        ("conflict", JsonSchemaType.String, "409 of a booking: why the time cannot be booked (outside_working_hours, time_off, slot_taken, patient_busy)."),
        ("currentState", JsonSchemaType.String, "409 of an appointment action the state machine refuses: the appointment's current status."),
        ("occurrences", JsonSchemaType.Array, "409 of a series none of whose occurrences could be booked: what happened to each."),
        ("exportStatus", JsonSchemaType.String, "409 of an export download that is not ready: pending or failed."),
        ("mfaRequired", JsonSchemaType.Boolean, "401 of a sign-in: the account has a second factor; send the code as mfaCode."),
        ("emailVerificationRequired", JsonSchemaType.Boolean, "403 of a sign-in: the e-mail address is not confirmed yet."),
        ("mfaEnrolmentRequired", JsonSchemaType.Boolean, "403: the clinic requires staff to enrol a second factor first."),
        ("selfGrant", JsonSchemaType.Boolean, "403: a member may not raise or extend their own access."),
        ("developerDetail", JsonSchemaType.String, "500 in the Development environment only: the exception, for the developer."),
    ];

    public static OpenApiSchema Create()
    {
        var schema = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An error, as RFC 9457 problem details.",
            Required = new HashSet<string> { "type", "title", "status", "traceId", "requestId" },
            AdditionalPropertiesAllowed = false,
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri", Description = "A URI naming the kind of problem." },
                ["title"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A short, human-readable summary." },
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32", Minimum = "400", Maximum = "599", Description = "The HTTP status code." },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What went wrong and what to do; never repeats request data." },
                ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request path, when given." },
                ["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Object,
                    Description = "400 and 422: messages per field at fault, keyed by the field's JSON name or the parameter's name.",
                    AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                },
            },
            Examples =
            [
                new JsonObject
                {
                    ["type"] = "https://httpstatuses.io/400",
                    ["title"] = "One or more validation errors occurred.",
                    ["status"] = 400,
                    ["traceId"] = "4bf92f3577b34da6a3ce929d0e0e4736",
                    ["requestId"] = "0HNA5S9P2K1QK:00000001",
                    ["errors"] = new JsonObject { ["startsAt"] = new JsonArray("The start must be in the future.") },
                },
            ],
        };
        foreach (var (name, type, description) in Extensions)
        {
            schema.Properties[name] = Member(type, description);
        }

        return schema;
    }

    private static OpenApiSchema Member(JsonSchemaType type, string description) => type == JsonSchemaType.Array
        ? new OpenApiSchema { Type = type, Description = description, Items = new OpenApiSchema { Type = JsonSchemaType.Object } }
        : new OpenApiSchema { Type = type, Description = description };
}
