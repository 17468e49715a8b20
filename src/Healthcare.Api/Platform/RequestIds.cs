using System.Diagnostics;
using Serilog.Context;

namespace Healthcare.Api.Platform;

/// <summary>
/// Gives every request an id: a well-formed incoming <c>X-Request-Id</c> is kept, otherwise the trace id is
/// used. The id is returned in the response header, set as <see cref="HttpContext.TraceIdentifier"/>, and
/// added to every log event of the request.
/// </summary>
public sealed class RequestIdMiddleware(RequestDelegate next)
{
    public const string HeaderName = "X-Request-Id";
    private const int MaxLength = 128;

    public async Task InvokeAsync(HttpContext context)
    {
        var incoming = context.Request.Headers[HeaderName];
        var requestId = incoming.Count == 1 && IsWellFormed(incoming[0])
            ? incoming[0]!
            : Activity.Current?.TraceId.ToHexString() ?? Guid.CreateVersion7().ToString("N");

        context.TraceIdentifier = requestId;
        // Set when the headers go out: the exception handler clears headers set earlier.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[HeaderName] = requestId;
            return Task.CompletedTask;
        });
        using (LogContext.PushProperty("RequestId", requestId))
        {
            await next(context);
        }
    }

    /// <summary>1-128 characters of letters, digits and <c>-_.:</c>; anything else could forge log lines.</summary>
    public static bool IsWellFormed(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Response headers that every answer carries.</summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        // Set when the headers go out, so that error answers (whose headers are reset) carry them too.
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/fhir"))
            {
                // Answers may hold patient data: no shared or browser cache may keep them.
                headers.CacheControl = "no-store";
            }

            return Task.CompletedTask;
        });
        return next(context);
    }
}
