using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Healthcare.Api.Platform;

/// <summary>
/// What every operation can answer besides its own results, so that the document matches behaviour: its security
/// requirement (anonymous ones explicitly empty), the statuses the pipeline can produce (authentication, binding,
/// body limits, rate limits, database outages, time-outs), one problem schema for every error body, and the
/// headers the API relies on (rate limits, <c>Retry-After</c>, <c>Location</c>). Endpoint-specific headers
/// (<c>ETag</c>, <c>If-Match</c>, <c>Idempotency-Key</c>) are added where endpoints declare them.
/// </summary>
internal sealed class OperationContract : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document!;
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var anonymous = metadata.OfType<IAllowAnonymous>().Any();
        var isApi = description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
        var isWrite = description.HttpMethod is not ("GET" or "HEAD");
        var parameters = description.ParameterDescriptions;
        var responses = operation.Responses ??= [];

        operation.Security = anonymous
            ? []
            : [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiContract.BearerScheme, document)] = [] }];
        DocumentPaging(operation);

        if (!anonymous)
        {
            Add(responses, 401, "No valid access token: missing, expired, revoked, or its session ended.");
            Add(responses, 403, "The caller may not do this (role, clinic membership, or a policy such as MFA).");
        }

        if (operation.RequestBody is not null || parameters.Any(p => p.Source == BindingSource.Query || p.Source == BindingSource.Header) || isWrite)
        {
            Add(responses, 400, "The request is malformed or a value is invalid; errors names each field at fault.");
        }

        if (operation.RequestBody is not null)
        {
            Add(responses, 413, "The body is larger than the API accepts (MAX_REQUEST_BODY_BYTES).");
            Add(responses, 415, "The body is not JSON (send Content-Type: application/json).");
        }

        if (parameters.Any(p => p.Source == BindingSource.Path) || isWrite)
        {
            Add(responses, 404, "The resource, or one the request refers to, does not exist or is not visible to the caller.");
        }

        if (isWrite)
        {
            Add(responses, 409, "The request conflicts with the resource's current state, or a concurrent change won the race.");
        }

        if (isApi)
        {
            Add(responses, 429, "The caller's request budget is spent; retry after Retry-After seconds.", document, ApiContract.RetryAfter);
        }

        Add(responses, 503, "A dependency (the database) is unavailable; retry after Retry-After seconds.", document, ApiContract.RetryAfter);
        Add(responses, 504, "The request took longer than REQUEST_TIMEOUT_SECONDS; nothing was stored unless a retry shows it.");

        foreach (var (status, response) in responses.ToList())
        {
            if (response is not OpenApiResponse concrete)
            {
                continue;
            }

            if (status.StartsWith('4') || status.StartsWith('5'))
            {
                concrete.Content = new Dictionary<string, OpenApiMediaType>
                {
                    [ProblemSchema.MediaType] = new() { Schema = new OpenApiSchemaReference(ProblemSchema.Name, document) },
                };
            }

            concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
            if (status == "201")
            {
                concrete.Headers.TryAdd("Location", ApiContract.Header(document, ApiContract.Location));
            }

            if (isApi && status != "401")
            {
                foreach (var header in ApiContract.RateLimitHeaders)
                {
                    concrete.Headers.TryAdd(header, ApiContract.Header(document, header));
                }
            }
        }

        // In status order, as readers of the document expect (success first, then errors).
        var ordered = responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        responses.Clear();
        foreach (var (status, response) in ordered)
        {
            responses[status] = response;
        }

        return Task.CompletedTask;
    }

    /// <summary>The query parameters every list shares (<see cref="Paging"/>): their range and meaning.</summary>
    private static void DocumentPaging(OpenApiOperation operation)
    {
        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>().Where(p => p.In == ParameterLocation.Query))
        {
            if (parameter.Name == "limit")
            {
                parameter.Description = $"Items per page, 1 to {Paging.MaxLimit} (default {Paging.DefaultLimit}).";
                parameter.Schema = new OpenApiSchema
                {
                    Type = JsonSchemaType.Integer,
                    Format = "int32",
                    Minimum = "1",
                    Maximum = Paging.MaxLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Default = Paging.DefaultLimit,
                };
            }
            else if (parameter.Name == "cursor")
            {
                parameter.Description = "Where the page starts: the cursor of the previous page's next link, unchanged.";
            }
        }
    }

    private static void Add(OpenApiResponses responses, int status, string description, OpenApiDocument? document = null, string? header = null)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!responses.TryGetValue(key, out var existing))
        {
            existing = new OpenApiResponse { Description = description };
            responses[key] = existing;
        }
        else if (existing is OpenApiResponse concrete && IsGenericDescription(concrete.Description))
        {
            concrete.Description = description;
        }

        if (header is not null && document is not null && existing is OpenApiResponse withHeaders)
        {
            withHeaders.Headers ??= new Dictionary<string, IOpenApiHeader>();
            withHeaders.Headers.TryAdd(header, ApiContract.Header(document, header));
        }
    }

    /// <summary>The reason phrase the generator fills in ("Not Found"): worth replacing with what it means here.</summary>
    private static bool IsGenericDescription(string? description) =>
        description is null or "Bad Request" or "Unauthorized" or "Forbidden" or "Not Found" or "Conflict" or "Too Many Requests";
}
