using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Healthcare.Api.Platform;

/// <summary>
/// Every error answer is RFC 9457 problem details with <c>traceId</c> and <c>requestId</c>. Exceptions are
/// mapped to a status here; messages never echo request data, and stack traces appear only in Development.
/// </summary>
public static class Problems
{
    public static IServiceCollection AddProblemResponses(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Type ??= $"https://httpstatuses.io/{problem.Status ?? context.HttpContext.Response.StatusCode}";
            problem.Extensions["traceId"] = Activity.Current?.TraceId.ToHexString() ?? context.HttpContext.TraceIdentifier;
            problem.Extensions["requestId"] = context.HttpContext.TraceIdentifier;
            problem.Extensions.Remove("exception");
            problem.Detail ??= problem.Status switch
            {
                StatusCodes.Status413PayloadTooLarge => "The request body is larger than this endpoint accepts.",
                StatusCodes.Status415UnsupportedMediaType => "Send the body as JSON with Content-Type: application/json.",
                StatusCodes.Status405MethodNotAllowed => "This resource does not support the request's HTTP method.",
                StatusCodes.Status404NotFound => "No resource exists at this address.",
                _ => null,
            };
            if (problem is HttpValidationProblemDetails validation)
            {
                // Field names as clients send them in JSON ("dateOfBirth", "address.postalCode").
                var errors = validation.Errors.ToDictionary(e => JsonFieldName(e.Key), e => e.Value);
                validation.Errors.Clear();
                foreach (var (field, messages) in errors)
                {
                    validation.Errors[field] = messages;
                }
            }
        });
        services.AddExceptionHandler<ApiExceptionHandler>();
        // Binding failures (malformed JSON, wrong content type) throw, so one handler answers them all.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    /// <summary>A 400 validation problem naming one field, for rules that attributes cannot express.</summary>
    public static Microsoft.AspNetCore.Http.HttpResults.ValidationProblem Field(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    internal static string JsonFieldName(string memberPath) =>
        string.Join('.', memberPath.Split('.').Select(JsonNamingPolicy.CamelCase.ConvertName));
}

internal sealed partial class ApiExceptionHandler(
    IProblemDetailsService problems,
    IHostEnvironment environment,
    ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            context.Response.StatusCode = 499;
            return true;
        }

        var problem = exception switch
        {
            BadHttpRequestException bad => FromBadRequest(bad),
            _ when IsDatabaseUnavailable(exception) => Unavailable(context),
            Microsoft.EntityFrameworkCore.DbUpdateConcurrencyException => ChangedMeanwhile(),
            _ when Find<PostgresException>(exception) is { } refused && Refusal(refused) is { } refusal => refusal,
            _ => Unexpected(exception),
        };

        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    private ProblemDetails Unexpected(Exception exception)
    {
        LogUnhandled(logger, exception.GetType().Name, exception);
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status500InternalServerError,
            Title = "An unexpected error occurred.",
            Detail = "The error has been logged; quote the requestId when reporting it.",
        };
        if (environment.IsDevelopment())
        {
            problem.Extensions["developerDetail"] = exception.ToString();
        }

        return problem;
    }

    /// <summary>
    /// Another request changed the row between this one's read and its write (the row version moved): nothing was
    /// stored, and reading again shows what did change. Handlers that take If-Match answer 412 themselves first.
    /// </summary>
    private ProblemDetails ChangedMeanwhile()
    {
        LogChangedMeanwhile(logger);
        return new ProblemDetails
        {
            Status = StatusCodes.Status409Conflict,
            Title = "The resource was changed by another request at the same time.",
            Detail = "Nothing was changed by this request. Read the resource again, then retry if the change still applies.",
        };
    }

    private ProblemDetails Unavailable(HttpContext context)
    {
        LogDatabaseUnavailable(logger);
        context.Response.Headers.RetryAfter = "5";
        return new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "The service is temporarily unavailable.",
            Detail = "A dependency did not answer in time. Retry after a few seconds.",
        };
    }

    /// <summary>
    /// A request the database refused for its data (an id that refers to nothing, a value it cannot store): the
    /// caller's mistake, answered as one, without naming the constraint. Handlers check what they can first; this
    /// covers what they cannot foresee, such as a platform administrator writing to a clinic that does not exist.
    /// </summary>
    private ProblemDetails? Refusal(PostgresException exception)
    {
        var problem = exception.SqlState switch
        {
            PostgresErrorCodes.ForeignKeyViolation => new ProblemDetails
            {
                Status = StatusCodes.Status404NotFound,
                Title = "A resource this request refers to does not exist.",
            },
            PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ExclusionViolation => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = "The request conflicts with the current state of the resource.",
            },
            PostgresErrorCodes.CheckViolation or PostgresErrorCodes.NotNullViolation or PostgresErrorCodes.StringDataRightTruncation or
                PostgresErrorCodes.NumericValueOutOfRange or PostgresErrorCodes.DatetimeFieldOverflow or
                PostgresErrorCodes.CharacterNotInRepertoire or PostgresErrorCodes.UntranslatableCharacter => new ProblemDetails
                {
                    Status = StatusCodes.Status400BadRequest,
                    Title = "A value in the request is outside what this API can store.",
                },
            _ => null,
        };
        if (problem is not null)
        {
            LogRefused(logger, exception.SqlState, problem.Status!.Value);
        }

        return problem;
    }

    private static T? Find<T>(Exception exception)
        where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static bool IsDatabaseUnavailable(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is NpgsqlException { IsTransient: true } or SocketException or TimeoutException || IsNoWritableServer(e) ||
                e is PostgresException
                {
                    SqlState: PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow or
                    PostgresErrorCodes.TooManyConnections or PostgresErrorCodes.QueryCanceled
                })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A multi-host DATABASE_URL (target_session_attrs=read-write) while no server takes writes: during a failover the
    /// old primary is down and the standby not yet promoted. Npgsql then throws this, with no inner exception, without
    /// trying a server again until its remembered state expires (Host Recheck Seconds).
    /// </summary>
    private static bool IsNoWritableServer(Exception e) =>
        e is NpgsqlException { InnerException: null } and not PostgresException &&
        e.Message.StartsWith("No suitable host was found", StringComparison.Ordinal);

    private static ProblemDetails FromBadRequest(BadHttpRequestException exception)
    {
        var status = exception.StatusCode;
        var problem = new ProblemDetails
        {
            Status = status,
            Title = status switch
            {
                StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
                StatusCodes.Status415UnsupportedMediaType => "The request body must be JSON (Content-Type: application/json).",
                _ => "The request is malformed.",
            },
        };

        if (FindJsonError(exception) is { } json)
        {
            var unknownField = json.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal);
            var field = JsonPathToField(json.Path);
            problem.Title = "The request body is not valid JSON for this endpoint.";
            problem.Detail = field.Length == 0
                ? "The body could not be read as JSON."
                : $"The value of '{field}' could not be read.";
            problem.Extensions["errors"] = new Dictionary<string, string[]>
            {
                [field.Length == 0 ? "$" : field] =
                [
                    unknownField ? "This field is not accepted here." :
                    field.Length == 0 ? "The body is not valid JSON." : "The value is not valid for this field.",
                ],
            };
        }
        else if (status == StatusCodes.Status400BadRequest && exception.Message.Contains("no body was provided", StringComparison.Ordinal))
        {
            problem.Detail = "A JSON request body is required.";
        }
        else if (BoundParameter().Match(exception.Message) is { Success: true } parameter)
        {
            // Query and route values: name the parameter, never repeat the value that was sent.
            var missing = exception.Message.StartsWith("Required", StringComparison.Ordinal);
            problem.Title = missing ? "A required parameter is missing." : "A parameter has a value of the wrong form.";
            problem.Extensions["errors"] = new Dictionary<string, string[]>
            {
                [parameter.Groups["name"].Value] = [missing ? "This parameter is required." : "The value is not valid for this parameter (dates are yyyy-MM-dd, ids are UUIDs)."],
            };
        }

        return problem;
    }

    private static JsonException? FindJsonError(Exception exception)
    {
        for (var e = exception.InnerException; e is not null; e = e.InnerException)
        {
            if (e is JsonException json)
            {
                return json;
            }
        }

        return null;
    }

    /// <summary>"$.patient.dateOfBirth" becomes "patient.dateOfBirth"; "$" becomes "".</summary>
    private static string JsonPathToField(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    /// <summary>ASP.NET Core's binding messages: <c>Required parameter "DateOnly from" was not provided ...</c> or <c>Failed to bind parameter "DateOnly from" from ...</c>.</summary>
    [System.Text.RegularExpressions.GeneratedRegex("""^(?:Required|Failed to bind) parameter "[^"]*?(?<name>[A-Za-z_][A-Za-z0-9_]*)"[ ]""")]
    private static partial System.Text.RegularExpressions.Regex BoundParameter();

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled {ExceptionType} while handling a request")]
    private static partial void LogUnhandled(ILogger logger, string exceptionType, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database refused the request's data ({SqlState}); answered {Status}")]
    private static partial void LogRefused(ILogger logger, string sqlState, int status);

    [LoggerMessage(Level = LogLevel.Information, Message = "A concurrent change won the race for the same row; answered 409")]
    private static partial void LogChangedMeanwhile(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database unavailable; answered 503")]
    private static partial void LogDatabaseUnavailable(ILogger logger);
}
