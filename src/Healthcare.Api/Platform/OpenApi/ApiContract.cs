using Microsoft.OpenApi;

namespace Healthcare.Api.Platform;

/// <summary>
/// The headers of the API's contract, shared by the document's components and the endpoints that declare them:
/// <see cref="ReturnsETag{TBuilder}"/> on reads and writes that answer a row version, <see cref="RequiresIfMatch"/>
/// and <see cref="AcceptsIfMatch"/> on changes under optimistic concurrency (<see cref="Versioning"/>).
/// </summary>
public static class ApiContract
{
    public const string BearerScheme = "Bearer";
    public const string ETag = "ETag";
    public const string Location = "Location";
    public const string RetryAfter = "Retry-After";
    public const string IfMatch = "If-Match";

    public static readonly string[] RateLimitHeaders = ["RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"];

    /// <summary>Every response header the document names, with its schema, meaning and whether it is always sent.</summary>
    internal static readonly IReadOnlyDictionary<string, (JsonSchemaType Type, bool Required, string Description)> Headers =
        new Dictionary<string, (JsonSchemaType, bool, string)>
        {
            [ETag] = (JsonSchemaType.String, true, "The resource's version, a quoted string; send it back as If-Match to change the resource."),
            [Location] = (JsonSchemaType.String, true, "The address of the resource just created."),
            [RetryAfter] = (JsonSchemaType.Integer, true, "Seconds to wait before retrying."),
            ["RateLimit-Limit"] = (JsonSchemaType.Integer, true, "Requests allowed in the current window."),
            ["RateLimit-Remaining"] = (JsonSchemaType.Integer, true, "Requests left in the current window."),
            ["RateLimit-Reset"] = (JsonSchemaType.Integer, true, "Seconds until the window resets."),
            [Idempotency.ReplayedHeader] = (JsonSchemaType.String, false, "\"true\" when this answer is the stored answer to an earlier request with the same Idempotency-Key."),
        };

    internal static IOpenApiHeader Header(OpenApiDocument document, string name) => new OpenApiHeaderReference(name, document);

    internal static OpenApiHeader CreateHeader(string name)
    {
        var (type, required, description) = Headers[name];
        return new OpenApiHeader
        {
            Description = description,
            Required = required,
            Schema = new OpenApiSchema { Type = type },
        };
    }

    /// <summary>The endpoint's successful answers carry the resource's version in <c>ETag</c>.</summary>
    public static TBuilder ReturnsETag<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            foreach (var (status, response) in operation.Responses ?? [])
            {
                if (status.StartsWith('2') && status != "204" && response is OpenApiResponse concrete)
                {
                    concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    concrete.Headers.TryAdd(ETag, Header(context.Document!, ETag));
                }
            }

            return Task.CompletedTask;
        });

    /// <summary>The endpoint's 202 answer names, in <c>Location</c>, where to follow the work it accepted.</summary>
    public static RouteHandlerBuilder AcceptedWithLocation(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            if (operation.Responses?.GetValueOrDefault("202") is OpenApiResponse accepted)
            {
                accepted.Headers ??= new Dictionary<string, IOpenApiHeader>();
                accepted.Headers.TryAdd(Location, Header(context.Document!, Location));
            }

            return Task.CompletedTask;
        });

    /// <summary>The endpoint needs <c>If-Match</c> with the version last read: 428 without it, 412 when stale.</summary>
    public static RouteHandlerBuilder RequiresIfMatch(this RouteHandlerBuilder builder) => builder
        .ProducesProblem(StatusCodes.Status412PreconditionFailed)
        .ProducesProblem(StatusCodes.Status428PreconditionRequired)
        .ReturnsETag()
        .AddOpenApiOperationTransformer((operation, _, _) => AddIfMatch(operation, required: true));

    /// <summary>The endpoint takes an optional <c>If-Match</c>: when sent and stale, 412 and nothing changes.</summary>
    public static RouteHandlerBuilder AcceptsIfMatch(this RouteHandlerBuilder builder) => builder
        .ProducesProblem(StatusCodes.Status412PreconditionFailed)
        .ReturnsETag()
        .AddOpenApiOperationTransformer((operation, _, _) => AddIfMatch(operation, required: false));

    private static Task AddIfMatch(OpenApiOperation operation, bool required)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = IfMatch,
            In = ParameterLocation.Header,
            Required = required,
            Description = required
                ? "The ETag of the last read of this resource. Without it the answer is 428; when someone changed the resource since, 412."
                : "Optional: the ETag of the last read. When someone changed the resource since, the answer is 412 and nothing changes.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            Example = System.Text.Json.Nodes.JsonValue.Create("\"4242\""),
        });
        return Task.CompletedTask;
    }
}
