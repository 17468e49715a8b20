using System.Security.Cryptography;
using Healthcare.Core.Platform;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace Healthcare.Api.Platform;

/// <summary>Marks an endpoint that honours <c>Idempotency-Key</c>.</summary>
public sealed class IdempotentMetadata
{
    public static readonly IdempotentMetadata Instance = new();

    private IdempotentMetadata()
    {
    }
}

public static class Idempotency
{
    public const string KeyHeader = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>
    /// Lets clients retry a POST safely: the same <c>Idempotency-Key</c> with the same body answers the first
    /// answer again (for 24 hours) instead of running twice. See <see cref="IdempotencyMiddleware"/> and ADR 12.
    /// </summary>
    public static RouteHandlerBuilder Idempotent(this RouteHandlerBuilder builder) => builder
        .WithMetadata(IdempotentMetadata.Instance)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
        .AddOpenApiOperationTransformer((operation, context, _) =>
        {
            foreach (var (status, response) in operation.Responses ?? [])
            {
                if (status.StartsWith('2') && response is OpenApiResponse answer)
                {
                    answer.Headers ??= new Dictionary<string, IOpenApiHeader>();
                    answer.Headers.TryAdd(ReplayedHeader, ApiContract.Header(context.Document!, ReplayedHeader));
                }
            }

            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = KeyHeader,
                In = ParameterLocation.Header,
                Description = "Optional; 1-255 printable ASCII characters, e.g. a UUID. A retry with the same key and body " +
                    "gets the first answer again (with Idempotent-Replayed: true) for 24 hours; a different body answers 422; " +
                    "a retry while the first request still runs answers 409.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = IdempotencyStore.MaxKeyLength },
            });
            return Task.CompletedTask;
        });
}

/// <summary>
/// For endpoints marked <see cref="Idempotency.Idempotent"/> and requests carrying <c>Idempotency-Key</c>: reserves
/// the key for the caller, runs the endpoint with its answer buffered and stores final answers (below 500) for
/// retries. Runs after authorization, so the caller is known and refused callers never reserve a key. Request
/// bodies and stored answers may hold patient data and are never logged.
/// </summary>
public sealed partial class IdempotencyMiddleware(
    RequestDelegate next, IdempotencyStore store, IProblemDetailsService problems, ILogger<IdempotencyMiddleware> logger)
{
    public Task InvokeAsync(HttpContext http)
    {
        // Requests without the header, and endpoints that did not opt in, pass straight through.
        if (!http.Request.Headers.TryGetValue(Idempotency.KeyHeader, out var keys) ||
            http.GetEndpoint() is not RouteEndpoint endpoint ||
            endpoint.Metadata.GetMetadata<IdempotentMetadata>() is null ||
            !(HttpMethods.IsPost(http.Request.Method) || HttpMethods.IsPatch(http.Request.Method)))
        {
            return next(http);
        }

        return HandleAsync(http, endpoint, keys);
    }

    private async Task HandleAsync(HttpContext http, RouteEndpoint endpoint, Microsoft.Extensions.Primitives.StringValues keys)
    {
        var key = keys.Count == 1 ? keys[0] : null;
        if (!IdempotencyStore.IsValidKey(key))
        {
            await ProblemAsync(http, StatusCodes.Status400BadRequest, "The Idempotency-Key header is invalid.",
                "Send one key of 1 to 255 printable ASCII characters, for example a UUID.", fieldError: "Use 1 to 255 printable ASCII characters.");
            return;
        }

        var request = new IdempotentRequest(
            Guid.TryParse(http.User.FindFirst("sub")?.Value, out var userId) ? userId : null,
            key!,
            http.Request.Method,
            endpoint.RoutePattern.RawText ?? "",
            http.Request.Path.Value ?? "",
            await HashBodyAsync(http.Request, http.RequestAborted));
        var decision = await store.ReserveAsync(request, http.RequestAborted);
        switch (decision.Outcome)
        {
            case IdempotencyOutcome.Replay:
                LogReplay(logger, request.Route);
                await ReplayAsync(http, decision.Response!);
                return;
            case IdempotencyOutcome.Mismatch:
                await ProblemAsync(http, StatusCodes.Status422UnprocessableEntity, "This Idempotency-Key was used for a different request.",
                    "A key may be reused only to retry the same request (same method, path and body). Use a new key for a new request.",
                    fieldError: "Already used for a different request.");
                return;
            case IdempotencyOutcome.InProgress:
                await ProblemAsync(http, StatusCodes.Status409Conflict, "A request with this key is still being processed.",
                    "Retry once it has finished to receive its answer.");
                return;
            default:
                await RunAndStoreAsync(http, decision.ReservationId);
                return;
        }
    }

    private async Task RunAndStoreAsync(HttpContext http, Guid reservationId)
    {
        // The answer goes to a buffer first, so that it can be stored before any of it is sent.
        var original = http.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var buffer = new MemoryStream();
        var buffering = new StreamResponseBodyFeature(buffer, original);
        http.Features.Set<IHttpResponseBodyFeature>(buffering);
        try
        {
            await next(http);
            await buffering.CompleteAsync();
        }
        catch
        {
            // No answer: free the key so that the client's retry runs again. The request's token may be cancelled.
            http.Features.Set(original);
            await ReleaseAsync(reservationId);
            throw;
        }

        http.Features.Set(original);
        var status = http.Response.StatusCode;
        if (IsFinal(status))
        {
            var headers = http.Response.Headers;
            var response = new IdempotentResponse(
                status, NullIfEmpty(http.Response.ContentType), NullIfEmpty(headers.Location), NullIfEmpty(headers.ETag), buffer.ToArray());
            try
            {
                // Not the request's token: the work is done and its answer must be kept even if the client left.
                await store.CompleteAsync(reservationId, response, CancellationToken.None);
            }
            catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
            {
                // The work is done, so the client still gets its answer; a retry after AbandonedAfter would run again.
                LogStoreFailed(logger, e);
            }
        }
        else
        {
            await ReleaseAsync(reservationId);
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(http.Response.Body, http.RequestAborted);
    }

    /// <summary>2xx, 3xx and 4xx are the request's answer; 5xx, 408 and 429 invite a retry, which should run again.</summary>
    private static bool IsFinal(int status) =>
        status < StatusCodes.Status500InternalServerError && status is not (StatusCodes.Status408RequestTimeout or StatusCodes.Status429TooManyRequests);

    private async Task ReleaseAsync(Guid reservationId)
    {
        try
        {
            await store.ReleaseAsync(reservationId, CancellationToken.None);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            // The reservation then counts as abandoned after AbandonedAfter and is taken over.
            LogStoreFailed(logger, e);
        }
    }

    private static async Task<byte[]> HashBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // Buffered so the endpoint can read the body again; Kestrel's body size limit still applies.
        request.EnableBuffering();
        var hash = await SHA256.HashDataAsync(request.Body, cancellationToken);
        request.Body.Position = 0;
        return hash;
    }

    private static async Task ReplayAsync(HttpContext http, IdempotentResponse stored)
    {
        var response = http.Response;
        response.StatusCode = stored.Status;
        if (stored.ContentType is not null)
        {
            response.ContentType = stored.ContentType;
        }

        if (stored.Location is not null)
        {
            response.Headers.Location = stored.Location;
        }

        if (stored.ETag is not null)
        {
            response.Headers.ETag = stored.ETag;
        }

        response.Headers[Idempotency.ReplayedHeader] = "true";
        // An empty error answer is left empty, so that status code pages fill it in as they did the first time.
        if (stored.Body.Length > 0)
        {
            response.ContentLength = stored.Body.Length;
            await response.Body.WriteAsync(stored.Body, http.RequestAborted);
        }
    }

    private Task ProblemAsync(HttpContext http, int status, string title, string detail, string? fieldError = null)
    {
        http.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (fieldError is not null)
        {
            // Named exactly as the header; validation problems would camel-case the name.
            problem.Extensions["errors"] = new Dictionary<string, string[]> { [Idempotency.KeyHeader] = [fieldError] };
        }

        return problems.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem }).AsTask();
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    [LoggerMessage(Level = LogLevel.Information, Message = "Answered a retry of {Route} with the stored response")]
    private static partial void LogReplay(ILogger logger, string route);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not store or release an idempotency key")]
    private static partial void LogStoreFailed(ILogger logger, Exception exception);
}
