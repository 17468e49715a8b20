using Microsoft.AspNetCore.Http.Timeouts;

namespace Healthcare.Api.Platform;

/// <summary>
/// A request runs to its end even when its client goes away (ADR 40): the token that handlers, EF Core and Npgsql
/// see is detached from the connection and fires only when the request timeout (UseRequestTimeouts) does.
/// Cancelling a command makes Npgsql open a second connection and wait for PostgreSQL's answer synchronously,
/// inside the token's callback, on the thread that noticed the disconnect; a burst of disconnects then blocks the
/// thread pool and stalls every other request. It also turns a write the client has already sent into an
/// outcome nobody can know; finished, it is stored, audited and, with an Idempotency-Key, answered on retry.
/// Endpoints without a request timeout (event streams) keep the connection's token: they end when the client does.
/// </summary>
public sealed class ClientDisconnectMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext http)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<DisableRequestTimeoutAttribute>() is not null)
        {
            await next(http);
            return;
        }

        var connection = http.RequestAborted;
        http.RequestAborted = CancellationToken.None;
        try
        {
            await next(http);
        }
        finally
        {
            // The outer layers (exception handler, request log) tell a vanished client from a failure by it.
            http.RequestAborted = connection;
        }
    }
}
