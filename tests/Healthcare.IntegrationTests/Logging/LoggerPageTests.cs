using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Healthcare.Api.Features.Logging;
using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Admin;
using Healthcare.ServiceDefaults.Logging;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;
using StackExchange.Redis;

namespace Healthcare.IntegrationTests.Logging;

/// <summary>/logger: who may see it, what it lists, its filters, paging, event page and the live tail across instances.</summary>
public sealed partial class LoggerPageTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("/logger")]
    [InlineData("/logger/stream")]
    [InlineData("/logger/events/01a22b5a-ecc1-7091-a31f-c5ed2e3621a3")]
    public async Task AnonymousVisitorsAreSentToTheSignInPage(string path)
    {
        var browser = AdminBrowser.For(api);

        var response = await browser.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/admin/sign-in?returnUrl=%2Flogger", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClinicAdministratorsAndBearerTokensAreRefused()
    {
        var clinic = await api.CreateClinicAsync();
        var browser = AdminBrowser.For(api);
        await browser.SignInOrFailAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id));
        var bearer = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.SuperAdmin));

        Assert.Equal(HttpStatusCode.Forbidden, (await browser.Client.GetAsync("/logger")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.Client.GetAsync("/logger/stream")).StatusCode);
        // The bearer token opens no operator page: the browser is sent to sign in.
        var withToken = await bearer.GetAsync("/logger");
        Assert.Equal("/admin/sign-in", withToken.RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task ARequestsEventIsListedAndItsPageShowsEveryPropertyAndLinksToTheWholeRequest()
    {
        var browser = await SuperAdminAsync();
        var requestId = $"logger-page-{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Add("X-Request-Id", requestId);
        await api.CreateClient().SendAsync(request);

        var list = await WaitForPageAsync(browser, $"/logger?requestId={requestId}", html => Rows(html).Count > 0);

        Assert.Contains("HTTP GET /api/v1/me responded 401", list, StringComparison.Ordinal);
        var id = Assert.Single(EventIds().Matches(list).Select(m => m.Groups[1].Value).Distinct());
        var detail = await browser.Client.GetAsync($"/logger/events/{id}");
        Assert.Equal(HttpStatusCode.OK, detail.StatusCode);
        Assert.Equal("no-store", detail.Headers.CacheControl!.ToString());
        Assert.Contains("script-src 'self'", detail.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var html = await detail.Content.ReadAsStringAsync();
        foreach (var property in new[] { "StatusCode", "Route", "RequestMethod", "Elapsed", "SourceContext", "Application" })
        {
            Assert.Contains($"<tr><th>{property}</th>", html, StringComparison.Ordinal);
        }

        Assert.Contains($"href=\"/logger?requestId={requestId}\"", html, StringComparison.Ordinal);
        Assert.Contains("Serilog.AspNetCore.RequestLoggingMiddleware", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.Client.GetAsync($"/logger/events/{Guid.CreateVersion7()}")).StatusCode);
    }

    [Fact]
    public async Task LevelAndTextFiltersNarrowTheListAndPagesContinueWithoutGapsOrRepeats()
    {
        var browser = await SuperAdminAsync();
        var marker = $"marker{Guid.NewGuid():N}";
        var logger = api.Services.GetRequiredService<ILogger<LoggerPageTests>>();
        for (var i = 0; i < 60; i++)
        {
            LogPaging(logger, marker, i);
        }

        LogFailure(logger, marker);

        await WaitForStoredAsync(marker, 61);
        var errors = await browser.Client.GetStringAsync($"/logger?text={marker}&level=error");
        Assert.Single(EventIds().Matches(errors).Select(m => m.Value).Distinct());
        Assert.DoesNotContain("number 59", errors, StringComparison.Ordinal);

        var first = await browser.Client.GetStringAsync($"/logger?text={marker}&level=warning");
        var firstRows = Rows(first);
        Assert.Equal(50, firstRows.Count);
        var older = OlderLink().Match(first);
        Assert.True(older.Success, "no link to older events");
        var second = await browser.Client.GetStringAsync(WebUtility.HtmlDecode(older.Groups[1].Value));
        var secondRows = Rows(second);
        Assert.Equal(11, secondRows.Count);
        Assert.DoesNotMatch(OlderLink(), second);
        Assert.Empty(firstRows.Intersect(secondRows));
        // Newest first: the error, then warnings 59 down to 0.
        Assert.Contains("for the level filter", first[..first.IndexOf("number 59", StringComparison.Ordinal)], StringComparison.Ordinal);
        Assert.Contains("number 0<", second, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMalformedFilterIsAnsweredWithTheReasonAndNoQuery()
    {
        var browser = await SuperAdminAsync();

        var response = await browser.Client.GetAsync("/logger?level=loud&from=yesterday&before=nonsense");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("level must be one of", html, StringComparison.Ordinal);
        Assert.Contains("from is not a date and time", html, StringComparison.Ordinal);
        Assert.Contains("before is not a page cursor", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLiveTailRelaysEventsOfAnotherInstanceWithinTwoSeconds()
    {
        var browser = await SuperAdminAsync();
        var marker = $"tail{Guid.NewGuid():N}";
        using var stream = await browser.Client.GetAsync($"/logger/stream?text={marker}", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal("retry: 3000", await reader.ReadLineAsync());
        Assert.Equal(": open", await reader.ReadLineAsync());

        // Another process (a worker, another API pod) writing to the same log store and Redis.
        using var redis = await ConnectionMultiplexer.ConnectAsync(Healthcare.Core.Configuration.RedisConnection.Parse(TestServers.RedisUrl));
        var connectionString = Healthcare.Core.Configuration.PostgresConnectionString.Parse(api.DatabaseUrl).ConnectionString;
        using var peer = new PostgresLogSink(
            new PostgresLogSinkSettings(connectionString, "healthcare-worker", "peer-instance", 1_000) { Redis = () => redis },
            MetricTotals.NewMetrics(), Logger.None);
        var clock = Stopwatch.StartNew();
        peer.Emit(new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Warning, null, new MessageTemplateParser().Parse($"Peer says {marker}"), []));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        string? data = null;
        while (data is null && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            data = line.StartsWith("data: ", StringComparison.Ordinal) ? line["data: ".Length..] : null;
        }

        clock.Stop();
        Assert.NotNull(data);
        var e = JsonSerializer.Deserialize<TailEvent>(data, LogTail.Json)!;
        Assert.Equal(($"Peer says {marker}", "peer-instance", "healthcare-worker", LogEventLevel.Warning), (e.Message, e.Instance, e.Application, e.Level));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the event took {clock.Elapsed} to arrive");
    }

    [Fact]
    public async Task PageQueriesUseTheIndexesAndNeverScanWholePartitions()
    {
        await api.WithDbAsync(async db =>
        {
            await db.Database.ExecuteSqlRawAsync("""
                SELECT log_events_create_partitions((now() AT TIME ZONE 'UTC')::date - 1, 1);
                INSERT INTO log_events (id, logged_at, level, message, message_template, request_id, trace_id, instance, source, application, properties)
                SELECT gen_random_uuid(), now() - g * interval '1 second', CASE WHEN g % 50 = 0 THEN 4 WHEN g % 10 = 0 THEN 3 ELSE 2 END,
                       'Synthetic event ' || g, 'Synthetic event', 'plan-req-' || (g / 3), md5(g::text), 'plan-' || (g % 10),
                       'Plan.Source' || (g % 5), 'plan-test', jsonb_build_object()
                FROM generate_series(1, 20000) AS g;
                ANALYZE log_events;
                """);
            return 0;
        });
        // Only partitions that hold rows matter: the planner rightly scans an empty one instead of opening its index.
        var filled = await api.WithDbAsync(db => db.Database.SqlQuery<string>(
            $"SELECT DISTINCT to_char(logged_at AT TIME ZONE 'UTC', 'YYYYMMDD') AS \"Value\" FROM log_events WHERE application = 'plan-test'").ToListAsync());
        var search = api.Services.GetRequiredService<LogSearch>();
        var cursor = new LogCursor(DateTimeOffset.UtcNow.AddSeconds(-5000), Guid.Empty);
        var filters = new LogFilter[]
        {
            new(), new() { Level = LogEventLevel.Warning }, new() { Level = LogEventLevel.Error }, new() { RequestId = "plan-req-77" },
            new() { TraceId = "0123456789abcdef0123456789abcdef" }, new() { Instance = "plan-3" }, new() { Source = "Plan.Source2" },
            new() { Before = cursor }, new() { From = DateTimeOffset.UtcNow.AddHours(-2), To = DateTimeOffset.UtcNow.AddHours(-1) },
        };

        foreach (var filter in filters)
        {
            await using var query = search.BuildQuery(filter);
            query.CommandText = "EXPLAIN " + query.CommandText;
            var plan = new List<string>();
            await using (var reader = await query.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    plan.Add(reader.GetString(0));
                }
            }

            var text = string.Join('\n', plan);
            Assert.True(
                text.Contains("Index", StringComparison.Ordinal) && !filled.Any(day => text.Contains($"Seq Scan on log_events_p{day}", StringComparison.Ordinal)),
                $"{filter}:\n{text}");
        }
    }

    private async Task<AdminBrowser> SuperAdminAsync()
    {
        var browser = AdminBrowser.For(api);
        await browser.SignInOrFailAsync(await api.CreateUserAsync(ClinicRoles.SuperAdmin));
        return browser;
    }

    /// <summary>Events reach the page once their batch is written (half a second or so).</summary>
    private static async Task<string> WaitForPageAsync(AdminBrowser browser, string path, Func<string, bool> ready)
    {
        var html = "";
        for (var i = 0; i < 50; i++)
        {
            var response = await browser.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            html = await response.Content.ReadAsStringAsync();
            if (ready(html))
            {
                return html;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{path} never showed the expected events:\n{html}");
    }

    private async Task WaitForStoredAsync(string text, int count)
    {
        for (var i = 0; i < 50; i++)
        {
            var stored = await api.WithDbAsync(db => db.Database
                .SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM log_events WHERE message LIKE {"%" + text + "%"}").SingleAsync());
            if (stored >= count)
            {
                return;
            }

            await Task.Delay(100);
        }

        var sink = api.Services.GetRequiredService<LogStoreState>().Sink;
        throw new TimeoutException($"{count} events with {text} were not stored in time (stored {sink?.StoredCount}, dropped {sink?.DroppedCount})");
    }

    private static List<string> Rows(string html) => EventIds().Matches(html).Select(m => m.Groups[1].Value).Distinct().ToList();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Paging {Marker} number {Number}")]
    private static partial void LogPaging(ILogger logger, string marker, int number);

    [LoggerMessage(Level = LogLevel.Error, Message = "Failure {Marker} for the level filter")]
    private static partial void LogFailure(ILogger logger, string marker);

    [GeneratedRegex("data-id=\"([0-9a-f-]{36})\"")]
    private static partial Regex EventIds();

    [GeneratedRegex("<a rel=\"next\" href=\"([^\"]+)\">Older events</a>")]
    private static partial Regex OlderLink();

}
