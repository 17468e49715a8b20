using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Healthcare.Api.Features.Admin;
using Healthcare.ServiceDefaults.Logging;
using Microsoft.AspNetCore.Http.Features;
using Serilog.Events;
using StackExchange.Redis;

namespace Healthcare.Api.Features.Logger;

/// <summary>
/// <c>/logger</c>: the stored log of every API and worker instance, newest first, with filters, keyset paging, an
/// event page with all properties, and a live tail (server-sent events relayed from Redis). Super administrators
/// only, through the operator pages' sign-in (ADR 16); the pages run no inline script (strict CSP).
/// </summary>
public static class LoggerPage
{
    public const string Path = "/logger";

    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; form-action 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'";

    private static readonly HtmlEncoder Html = HtmlEncoder.Default;
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static IServiceCollection AddLogViewer(this IServiceCollection services)
    {
        services.AddSingleton<LogSearch>();
        services.AddSingleton<LogTailHub>();
        return services;
    }

    public static IEndpointRouteBuilder MapLogViewer(this IEndpointRouteBuilder endpoints)
    {
        var pages = endpoints.MapGroup("").RequireAuthorization(AdminPages.Policy).ExcludeFromDescription();
        pages.MapGet(Path, ListAsync);
        pages.MapGet(Path + "/events/{id:guid}", DetailAsync);
        pages.MapGet(Path + "/stream", StreamAsync).DisableRequestTimeout();
        pages.MapGet(Path + "/logger.js", Script);
        return endpoints;
    }

    private static async Task<IResult> ListAsync(HttpContext http, LogSearch search, LogStoreState state, CancellationToken cancellationToken)
    {
        if (!LogFilter.TryParse(http.Request.Query, out var filter, out var error))
        {
            return Page(http, StatusCodes.Status400BadRequest, "Logs", Filters(new LogFilter()) + Alert(error!));
        }

        var page = await search.FindAsync(filter, cancellationToken);
        var body = new StringBuilder();
        body.Append(Filters(filter));
        body.Append("<p class=\"bar\"><label><input type=\"checkbox\" id=\"tail\"> Live tail</label> <span id=\"tail-status\" data-state=\"off\"></span>");
        body.Append(CultureInfo.InvariantCulture, $" <span class=\"muted\">Newest first. Events this instance could not store: {state.Sink?.DroppedCount ?? 0}.</span></p>");
        body.Append("<table id=\"events\"><thead><tr><th>Time (UTC)</th><th>Level</th><th>Application / instance</th><th>Source</th><th>Message</th><th>Request</th></tr></thead><tbody>");
        foreach (var e in page.Events)
        {
            body.Append(Row(e));
        }

        body.Append("</tbody></table>");
        if (page.Events.Count == 0)
        {
            body.Append("<p id=\"empty\">No stored events match these filters.</p>");
        }

        body.Append("<nav class=\"bar\"><a href=\"").Append(Path).Append("\">Newest, no filters</a>");
        if (page.Older is { } older)
        {
            body.Append(" · <a rel=\"next\" href=\"").Append(Html.Encode(Path + filter.ToQueryString(older))).Append("\">Older events</a>");
        }

        body.Append("</nav>");
        return Page(http, StatusCodes.Status200OK, "Logs", body.ToString());
    }

    private static async Task<IResult> DetailAsync(Guid id, HttpContext http, LogSearch search, CancellationToken cancellationToken)
    {
        if (await search.GetAsync(id, cancellationToken) is not { } e)
        {
            return Page(http, StatusCodes.Status404NotFound, "Event not found",
                "<h1>Event not found</h1><p>It may be older than the retention period.</p><p><a href=\"/logger\">Back to the log</a></p>");
        }

        var body = new StringBuilder();
        body.Append("<h1>").Append(Html.Encode(LevelName(e.Level))).Append(" event</h1>");
        body.Append("<p class=\"message\">").Append(Html.Encode(e.Message)).Append("</p><table class=\"fields\"><tbody>");
        Field("Time (UTC)", Time(e.Time));
        Field("Level", LevelName(e.Level));
        Field("Application", e.Application);
        Field("Instance", e.Instance, Link(new LogFilter { Instance = e.Instance }, "events of this instance"));
        Field("Source", e.Source, e.Source is null ? null : Link(new LogFilter { Source = e.Source }, "events of this source"));
        Field("Request id", e.RequestId, e.RequestId is null ? null : Link(new LogFilter { RequestId = e.RequestId }, "every event of this request"));
        Field("Trace id", e.TraceId, e.TraceId is null ? null : Link(new LogFilter { TraceId = e.TraceId }, "every event of this trace"));
        Field("Span id", e.SpanId);
        Field("Message template", e.MessageTemplate);
        Field("Exception type", e.ExceptionType);
        Field("Id", e.Id.ToString());
        body.Append("</tbody></table>");
        if (e.Exception is not null)
        {
            body.Append("<h2>Exception</h2><pre class=\"exception\">").Append(Html.Encode(e.Exception)).Append("</pre>");
        }

        body.Append("<h2>Properties</h2><table class=\"fields\" id=\"properties\"><tbody>");
        using (var properties = JsonDocument.Parse(e.PropertiesJson))
        {
            foreach (var property in properties.RootElement.EnumerateObject())
            {
                var value = property.Value.ValueKind == JsonValueKind.String
                    ? property.Value.GetString()!
                    : JsonSerializer.Serialize(property.Value, Indented);
                body.Append("<tr><th>").Append(Html.Encode(property.Name)).Append("</th><td><pre>").Append(Html.Encode(value)).Append("</pre></td></tr>");
            }
        }

        body.Append("</tbody></table><p><a href=\"/logger\">Back to the log</a></p>");
        return Page(http, StatusCodes.Status200OK, "Log event", body.ToString());

        void Field(string name, string? value, string? link = null)
        {
            if (value is null)
            {
                return;
            }

            body.Append("<tr><th>").Append(Html.Encode(name)).Append("</th><td>").Append(Html.Encode(value));
            if (link is not null)
            {
                body.Append(" · ").Append(link);
            }

            body.Append("</td></tr>");
        }
    }

    /// <summary>
    /// Server-sent events: <c>: open</c> once the tail is subscribed, then one <c>data:</c> line per event that matches
    /// the page's filters, and a comment every 15 s to keep proxies from closing the stream. The stream ends when
    /// the sign-in cookie's token expires.
    /// </summary>
    private static async Task StreamAsync(HttpContext http, LogTailHub hub, CancellationToken requestAborted)
    {
        if (!LogFilter.TryParse(http.Request.Query, out var filter, out var error))
        {
            http.Response.StatusCode = StatusCodes.Status400BadRequest;
            await http.Response.WriteAsync(error!, requestAborted);
            return;
        }

        using var lifetime = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        if (http.User.FindFirstValue("exp") is { } exp && long.TryParse(exp, CultureInfo.InvariantCulture, out var expires))
        {
            lifetime.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, expires - DateTimeOffset.UtcNow.ToUnixTimeSeconds())));
        }

        System.Threading.Channels.ChannelReader<TailEvent> reader;
        try
        {
            reader = await hub.SubscribeAsync(lifetime.Token);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.Headers.RetryAfter = "10";
            await http.Response.WriteAsync("The live tail needs Redis, which is not reachable.", requestAborted);
            return;
        }

        try
        {
            http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Headers["X-Accel-Buffering"] = "no";
            await http.Response.WriteAsync("retry: 3000\n: open\n\n", lifetime.Token);
            await http.Response.Body.FlushAsync(lifetime.Token);
            while (!lifetime.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(lifetime.Token);
                wait.CancelAfter(Heartbeat);
                try
                {
                    await reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!lifetime.IsCancellationRequested)
                {
                    await http.Response.WriteAsync(": ping\n\n", lifetime.Token);
                    await http.Response.Body.FlushAsync(lifetime.Token);
                    continue;
                }

                var sent = new StringBuilder();
                while (reader.TryRead(out var e))
                {
                    if (filter.Matches(e))
                    {
                        sent.Append("data: ").Append(JsonSerializer.Serialize(e, LogTail.Json)).Append("\n\n");
                    }
                }

                if (sent.Length > 0)
                {
                    await http.Response.WriteAsync(sent.ToString(), lifetime.Token);
                    await http.Response.Body.FlushAsync(lifetime.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The browser left, or the sign-in expired: the stream simply ends.
        }
        finally
        {
            await hub.UnsubscribeAsync(reader);
        }
    }

    private static IResult Script(HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        return Results.Text(LoggerScript.Source, "text/javascript; charset=utf-8");
    }

    private static string Filters(LogFilter filter)
    {
        var form = new StringBuilder();
        form.Append("<h1>Logs</h1><form method=\"get\" action=\"/logger\" class=\"filters\" id=\"filters\">");
        form.Append("<label>Level <select name=\"level\"><option value=\"\">All stored</option>");
        foreach (var (value, label) in LogFilter.Levels)
        {
            var selected = filter.Level is { } level && LogFilter.LevelValue(level) == value ? " selected" : "";
            form.Append(CultureInfo.InvariantCulture, $"<option value=\"{value}\"{selected}>{label}</option>");
        }

        form.Append("</select></label>");
        Input("from", "From (UTC)", filter.From?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture), "datetime-local\" step=\"1");
        Input("to", "To (UTC)", filter.To?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture), "datetime-local\" step=\"1");
        Input("text", "Text", filter.Text, "search");
        Input("requestId", "Request id", filter.RequestId, "text");
        Input("traceId", "Trace id", filter.TraceId, "text");
        Input("instance", "Instance", filter.Instance, "text");
        Input("source", "Source", filter.Source, "text");
        form.Append("<button type=\"submit\">Apply</button></form>");
        return form.ToString();

        void Input(string name, string label, string? value, string type) =>
            form.Append(CultureInfo.InvariantCulture,
                $"<label>{label} <input type=\"{type}\" name=\"{name}\" value=\"{Html.Encode(value ?? "")}\"></label>");
    }

    private static string Row(LogRecord e)
    {
        var row = new StringBuilder();
        row.Append(CultureInfo.InvariantCulture, $"<tr class=\"level-{LogFilter.LevelValue(e.Level)}\" data-id=\"{e.Id}\">");
        row.Append(CultureInfo.InvariantCulture, $"<td class=\"time\"><a href=\"/logger/events/{e.Id}\">{Time(e.Time)}</a></td>");
        row.Append("<td class=\"level\">").Append(LevelName(e.Level)).Append("</td>");
        row.Append("<td class=\"app\">").Append(Html.Encode(e.Application)).Append("<br><span class=\"muted\">").Append(Html.Encode(e.Instance)).Append("</span></td>");
        row.Append("<td class=\"source\">").Append(e.Source is null ? "" : Link(new LogFilter { Source = e.Source }, Short(e.Source))).Append("</td>");
        row.Append("<td class=\"message\">").Append(Html.Encode(e.Message.Length > 500 ? LogRecord.Clean(e.Message, 500) + "…" : e.Message));
        if (e.ExceptionType is not null)
        {
            row.Append("<br><span class=\"muted\">").Append(Html.Encode(e.ExceptionType)).Append("</span>");
        }

        row.Append("</td><td class=\"request\">").Append(e.RequestId is null ? "" : Link(new LogFilter { RequestId = e.RequestId }, e.RequestId)).Append("</td></tr>");
        return row.ToString();
    }

    private static string Link(LogFilter filter, string text) =>
        $"<a href=\"{Html.Encode(Path + filter.ToQueryString())}\">{Html.Encode(text)}</a>";

    private static string Short(string source) => source.LastIndexOf('.') is var dot and > 0 ? source[(dot + 1)..] : source;

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    public static string LevelName(LogEventLevel level) => level == LogEventLevel.Verbose ? "Trace" : level.ToString();

    private static string Alert(string message) => $"<p class=\"error\" role=\"alert\">{Html.Encode(message)}</p>";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static IResult Page(HttpContext http, int status, string title, string body)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        var html = $$"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{Html.Encode(title)}} · Healthcare Backend</title>
            <style>
              body { font-family: system-ui, sans-serif; margin: 1rem 1.5rem; color: #1f2933; font-size: 14px; }
              h1 { font-size: 1.4rem; margin: 0 0 0.8rem; }
              .filters { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: end; margin-bottom: 0.6rem; }
              .filters label { display: flex; flex-direction: column; font-size: 12px; }
              .filters input, .filters select { padding: 0.25rem; min-width: 9rem; }
              .bar { margin: 0.6rem 0; }
              .muted { color: #6b7280; }
              .error { color: #a61b1b; }
              table { border-collapse: collapse; width: 100%; }
              th, td { text-align: left; vertical-align: top; padding: 0.3rem 0.5rem; border-bottom: 1px solid #e5e7eb; }
              #events td.message { white-space: pre-wrap; word-break: break-word; }
              #events td.time { white-space: nowrap; font-family: ui-monospace, monospace; }
              tr.level-warning td.level { color: #b45309; font-weight: 600; }
              tr.level-error td.level, tr.level-fatal td.level { color: #b91c1c; font-weight: 700; }
              tr.level-debug td.level, tr.level-trace td.level { color: #6b7280; }
              tr.fresh { animation: fresh 2s ease-out; }
              @keyframes fresh { from { background: #fef3c7; } to { background: transparent; } }
              table.fields th { width: 12rem; }
              pre { margin: 0; white-space: pre-wrap; word-break: break-word; font-family: ui-monospace, monospace; }
              p.message { font-size: 1.05rem; }
              #events td.app { white-space: nowrap; }
              #tail-status { margin-right: 0.6rem; color: #047857; }
            </style>
            </head>
            <body>
            <p class="muted"><a href="/admin">Operations</a> · <a href="/logger">Logs</a> · <a href="/queue-dashboard">Jobs</a></p>
            {{body}}
            <script src="/logger/logger.js"></script>
            </body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }
}
