using Healthcare.Testing;
using Microsoft.Playwright;

namespace Healthcare.BrowserTests;

[Collection(BrowserTestGroup.Name)]
public sealed class QueueDashboardPageTests(Browser browser, RunningApi api)
{
    [Fact]
    public async Task ASuperAdminWithMfaSignsInAndTheDashboardLoadsAndPolls()
    {
        var account = await TestAccounts.CreateSuperAdminAsync(api.DatabaseUrl);
        using var http = new HttpClient { BaseAddress = api.HttpAddress };
        var secret = await MfaEnrolment.EnrolAsync(http, account);
        var blocked = new List<string>();
        var page = await browser.NewPageAsync(blocked);
        var polls = new List<int>();
        page.Response += (_, response) =>
        {
            if (response.Url.EndsWith("/queue-dashboard/stats", StringComparison.Ordinal))
            {
                polls.Add(response.Status);
            }
        };

        await page.GotoAsync(new Uri(api.HttpAddress, "/queue-dashboard").ToString());
        Assert.Contains("/admin/sign-in", page.Url, StringComparison.Ordinal);
        await page.GetByLabel("E-mail address").FillAsync(account.Email);
        await page.GetByLabel("Password").FillAsync(account.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Alert).GetByText("authenticator app").WaitForAsync();
        await page.GetByLabel("Password").FillAsync(account.Password);
        await page.GetByLabel("Authenticator code").FillAsync(MfaEnrolment.NextCode(secret));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await page.WaitForURLAsync("**/queue-dashboard");
        await page.GetByText("Healthcare Backend jobs").First.WaitForAsync();
        // The dashboard's script polls with its anti-forgery header; the poll must be accepted.
        await page.WaitForResponseAsync(r => r.Url.EndsWith("/queue-dashboard/stats", StringComparison.Ordinal), new() { Timeout = 15_000 });
        Assert.NotEmpty(polls);
        Assert.All(polls, status => Assert.Equal(200, status));
        Assert.Empty(blocked);
        var cookies = await page.Context.CookiesAsync();
        var session = Assert.Single(cookies, c => c.Name == "hb_admin");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
    }

    [Fact]
    public async Task AnAnonymousVisitorSeesOnlyTheSignInPage()
    {
        var page = await browser.NewPageAsync([]);

        var response = await page.GotoAsync(new Uri(api.HttpAddress, "/queue-dashboard/jobs/failed").ToString());

        Assert.Contains("/admin/sign-in?returnUrl=%2Fqueue-dashboard%2Fjobs%2Ffailed", page.Url, StringComparison.Ordinal);
        Assert.Equal(200, response!.Status);
        Assert.Equal("Sign in · Healthcare Backend", await page.TitleAsync());
    }
}
