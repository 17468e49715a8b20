using System.Diagnostics;
using Healthcare.Testing;
using Microsoft.Playwright;

namespace Healthcare.BrowserTests;

/// <summary>/logger in Chromium: sign-in with MFA, events of the test's own requests, the level filter, the live tail.</summary>
[Collection(BrowserTestGroup.Name)]
public sealed class LoggerPageTests(Browser browser, RunningApi api)
{
    [Fact]
    public async Task ASuperAdminSignsInSeesTheEventOfARequestAndFiltersByLevel()
    {
        var blocked = new List<string>();
        var page = await SignedInPageAsync(blocked);
        var requestId = $"browser-{Guid.NewGuid():N}";
        await GetMeAsync(requestId);

        // The event is written within about half a second; reload until it is listed.
        var row = page.Locator("#events tbody tr", new() { HasText = requestId });
        for (var i = 0; i < 20 && await row.CountAsync() == 0; i++)
        {
            await Task.Delay(250);
            await page.ReloadAsync();
        }

        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator("td.message")).ToContainTextAsync("HTTP GET /api/v1/me responded 401");
        await Assertions.Expect(row.Locator("td.level")).ToHaveTextAsync("Information");

        await page.GetByLabel("Level").SelectOptionAsync("warning");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await page.WaitForURLAsync("**/logger?level=warning*");
        await Assertions.Expect(page.Locator("#events tbody tr", new() { HasText = requestId })).ToHaveCountAsync(0);
        foreach (var level in await page.Locator("#events tbody td.level").AllTextContentsAsync())
        {
            Assert.True(level is "Warning" or "Error" or "Fatal", $"a {level} event under the warning filter");
        }

        await page.GetByLabel("Level").SelectOptionAsync("info");
        await page.GetByLabel("Request id").FillAsync(requestId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Assertions.Expect(page.Locator("#events tbody tr")).ToHaveCountAsync(1);

        // The event's page lists its properties and leads to every event of the same request.
        await page.Locator("#events tbody tr td.time a").ClickAsync();
        await Assertions.Expect(page.Locator("#properties")).ToContainTextAsync("StatusCode");
        await page.GetByRole(AriaRole.Link, new() { Name = "every event of this request" }).ClickAsync();
        await Assertions.Expect(page.Locator("#events tbody tr", new() { HasText = requestId })).ToHaveCountAsync(1);
        Assert.Empty(blocked);
    }

    [Fact]
    public async Task TheLiveTailShowsANewEventWithinTwoSeconds()
    {
        var page = await SignedInPageAsync([]);
        await page.GetByLabel("Live tail").CheckAsync();
        await Assertions.Expect(page.Locator("#tail-status")).ToHaveAttributeAsync("data-state", "open");
        var requestId = $"tail-{Guid.NewGuid():N}";

        var clock = Stopwatch.StartNew();
        await GetMeAsync(requestId);
        await Assertions.Expect(page.Locator("#events tbody tr", new() { HasText = requestId }))
            .ToHaveCountAsync(1, new() { Timeout = 2_000 });
        clock.Stop();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"the event appeared after {clock.Elapsed}");
    }

    [Fact]
    public async Task AnonymousVisitorsGetTheSignInPageAndNoEvents()
    {
        var page = await browser.NewPageAsync([]);

        await page.GotoAsync(new Uri(api.HttpAddress, "/logger").ToString());
        var stream = await page.APIRequest.GetAsync(new Uri(api.HttpAddress, "/logger/stream").ToString(), new() { MaxRedirects = 0 });

        Assert.Contains("/admin/sign-in?returnUrl=%2Flogger", page.Url, StringComparison.Ordinal);
        Assert.Equal("Sign in · Healthcare Backend", await page.TitleAsync());
        await Assertions.Expect(page.Locator("#events")).ToHaveCountAsync(0);
        Assert.Equal(302, stream.Status);
    }

    private async Task<IPage> SignedInPageAsync(List<string> blocked)
    {
        var account = await TestAccounts.CreateSuperAdminAsync(api.DatabaseUrl);
        using var http = new HttpClient { BaseAddress = api.HttpAddress };
        var secret = await MfaEnrolment.EnrolAsync(http, account);
        var page = await browser.NewPageAsync(blocked);
        await page.GotoAsync(new Uri(api.HttpAddress, "/logger").ToString());
        Assert.Contains("/admin/sign-in", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("E-mail address").FillAsync(account.Email);
        await page.GetByLabel("Password").FillAsync(account.Password);
        await page.GetByLabel("Authenticator code").FillAsync(MfaEnrolment.NextCode(secret));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/logger");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Logs" })).ToBeVisibleAsync();
        return page;
    }

    private async Task GetMeAsync(string requestId)
    {
        using var http = new HttpClient { BaseAddress = api.HttpAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        request.Headers.Add("X-Request-Id", requestId);
        using var response = await http.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
