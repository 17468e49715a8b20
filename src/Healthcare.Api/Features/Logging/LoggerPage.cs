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

namespace Healthcare.Api.Features.Logging;

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
    private static readonly PageTemplate Shell = PageTemplate.Load(typeof(LoggerPage), "page.html");
    private static readonly string Styles = PageTemplate.Read(typeof(LoggerPage), "page.css");
    private static readonly PageTemplate FiltersMarkup = PageTemplate.Load(typeof(LoggerPage), "filters.html");
    private static readonly PageTemplate EventsMarkup = PageTemplate.Load(typeof(LoggerPage), "events.html");
    private static readonly PageTemplate EventMarkup = PageTemplate.Load(typeof(LoggerPage), "event.html");
    private static readonly string NotFoundMarkup = PageTemplate.Read(typeof(LoggerPage), "not-found.html");

    /// <summary>
    /// The page's only script, served from <c>/logger/logger.js</c> so the Content-Security-Policy can forbid inline
    /// scripts. It runs the live tail: an EventSource on <c>/logger/stream</c> with the page's filters, each event
    /// added on top of the table, built with text nodes only (never HTML from an event).
    /// </summary>
    private static readonly string ScriptSource = PageTemplate.Read(typeof(LoggerPage), "logger.js");
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
        var rows = new StringBuilder();
        foreach (var e in page.Events)
        {
            rows.Append(Row(e));
        }

        var body = EventsMarkup.Render(
            ("filters", Filters(filter)),
            ("dropped", (state.Sink?.DroppedCount ?? 0).ToString(CultureInfo.InvariantCulture)),
            ("rows", rows.ToString()),
            ("empty", page.Events.Count == 0 ? "<p id=\"empty\">No stored events match these filters.</p>" : ""),
            ("older", page.Older is { } older
                ? $" · <a rel=\"next\" href=\"{Html.Encode(Path + filter.ToQueryString(older))}\">Older events</a>"
                : ""));
        return Page(http, StatusCodes.Status200OK, "Logs", body);
    }

    private static async Task<IResult> DetailAsync(Guid id, HttpContext http, LogSearch search, CancellationToken cancellationToken)
    {
        if (await search.GetAsync(id, cancellationToken) is not { } e)
        {
            return Page(http, StatusCodes.Status404NotFound, "Event not found", NotFoundMarkup);
        }

        var fields = new StringBuilder();
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
        var properties = new StringBuilder();
        using (var json = JsonDocument.Parse(e.PropertiesJson))
        {
            foreach (var property in json.RootElement.EnumerateObject())
            {
                var value = property.Value.ValueKind == JsonValueKind.String
                    ? property.Value.GetString()!
                    : JsonSerializer.Serialize(property.Value, Indented);
                properties.Append("<tr><th>").Append(Html.Encode(property.Name)).Append("</th><td><pre>").Append(Html.Encode(value)).Append("</pre></td></tr>");
            }
        }

        var body = EventMarkup.Render(
            ("level", Html.Encode(LevelName(e.Level))),
            ("message", Html.Encode(e.Message)),
            ("fields", fields.ToString()),
            ("exception", e.Exception is null ? "" : $"<h2>Exception</h2><pre class=\"exception\">{Html.Encode(e.Exception)}</pre>"),
            ("properties", properties.ToString()));
        return Page(http, StatusCodes.Status200OK, "Log event", body);

        void Field(string name, string? value, string? link = null)
        {
            if (value is null)
            {
                return;
            }

            fields.Append("<tr><th>").Append(Html.Encode(name)).Append("</th><td>").Append(Html.Encode(value));
            if (link is not null)
            {
                fields.Append(" · ").Append(link);
            }

            fields.Append("</td></tr>");
        }
    }

    /// <summary>
    /// Server-sent events: <c>: open</c> once the tail is subscribed, then one <c>data:</c> line per event that matches
    /// the page's filters, and a comment every 15 s to keep proxies from closing the stream. The stream ends when
    /// the sign-in cookie's token expires.
    /// </summary>
    private static async Task StreamAsync(HttpContext http, LogTailHub hub, TimeProvider clock, CancellationToken requestAborted)
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
            lifetime.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, expires - clock.GetUtcNow().ToUnixTimeSeconds())));
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
        return Results.Text(ScriptSource, "text/javascript; charset=utf-8");
    }

    private static string Filters(LogFilter filter)
    {
        var levels = new StringBuilder();
        foreach (var (value, label) in LogFilter.Levels)
        {
            var selected = filter.Level is { } level && LogFilter.LevelValue(level) == value ? " selected" : "";
            levels.Append(CultureInfo.InvariantCulture, $"<option value=\"{value}\"{selected}>{label}</option>");
        }

        return FiltersMarkup.Render(
            ("levels", levels.ToString()),
            ("from", Html.Encode(Timestamp(filter.From))),
            ("to", Html.Encode(Timestamp(filter.To))),
            ("text", Html.Encode(filter.Text ?? "")),
            ("requestId", Html.Encode(filter.RequestId ?? "")),
            ("traceId", Html.Encode(filter.TraceId ?? "")),
            ("instance", Html.Encode(filter.Instance ?? "")),
            ("source", Html.Encode(filter.Source ?? "")));

        static string Timestamp(DateTimeOffset? time) =>
            time?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) ?? "";
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
        var html = Shell.Render(("title", Html.Encode(title)), ("styles", Styles), ("body", body));
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }
}
