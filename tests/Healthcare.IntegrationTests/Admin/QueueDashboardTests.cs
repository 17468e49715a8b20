using System.Net;
using Hangfire;
using Hangfire.States;
using Healthcare.Core.Identity;
using Healthcare.Core.Jobs;
using Healthcare.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Healthcare.IntegrationTests.Admin;

/// <summary>The job dashboard at /queue-dashboard and the admin pages' sign-in.</summary>
public sealed class QueueDashboardTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task AnonymousBrowsersAreSentToTheSignInPageAndScriptsGet401()
    {
        var browser = AdminBrowser.For(api);

        var page = await browser.Client.GetAsync("/queue-dashboard");
        var poll = await browser.Client.PostAsync("/queue-dashboard/stats", new FormUrlEncodedContent([]));
        var form = await browser.Client.GetAsync(page.Headers.Location);

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/admin/sign-in?returnUrl=%2Fqueue-dashboard", page.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, poll.StatusCode);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Contains("name=\"password\"", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("no-store", form.Headers.CacheControl!.ToString());
        Assert.Contains("frame-ancestors 'none'", form.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task APatientOrAClinicAdminWhoSignsInIsRefused()
    {
        var clinic = await api.CreateClinicAsync();
        foreach (var role in new[] { ClinicRoles.Patient, ClinicRoles.ClinicAdmin })
        {
            var browser = AdminBrowser.For(api);
            await browser.SignInOrFailAsync(await api.CreateUserAsync(role, clinic.Id));

            var page = await browser.Client.GetAsync("/queue-dashboard");

            Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        }
    }

    [Fact]
    public async Task ASuperAdminGetsAShortLivedStrictHttpOnlyCookieAndTheDashboard()
    {
        var browser = AdminBrowser.For(api);

        var signIn = await browser.SignInAsync(await api.CreateUserAsync(ClinicRoles.SuperAdmin));
        var page = await browser.Client.GetAsync("/queue-dashboard");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/queue-dashboard", signIn.Headers.Location!.OriginalString);
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("hb_admin=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("max-age=900", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Healthcare Backend jobs", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheCookieOpensOnlyTheAdminPagesNotTheApi()
    {
        var browser = AdminBrowser.For(api);
        await browser.SignInOrFailAsync(await api.CreateUserAsync(ClinicRoles.SuperAdmin));

        var me = await browser.Client.GetAsync("/api/v1/me");

        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    [Fact]
    public async Task ABearerTokenDoesNotOpenTheDashboard()
    {
        var client = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.SuperAdmin));

        using var request = new HttpRequestMessage(HttpMethod.Post, "/queue-dashboard/stats") { Content = new FormUrlEncodedContent([]) };
        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task TheSignInFormNeedsItsAntiforgeryTokenAndASecondFactorWhenEnrolled()
    {
        var account = await api.CreateUserAsync(ClinicRoles.SuperAdmin);
        var secret = await MfaEnrolment.EnrolAsync(api.CreateClient(), account);
        var browser = AdminBrowser.For(api);

        var forged = await browser.Client.PostAsync("/admin/sign-in", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = account.Email,
            ["password"] = account.Password,
        }));
        var withoutCode = await browser.SignInAsync(account);
        var wrongCode = await browser.SignInAsync(account, MfaEnrolment.Code(secret, DateTime.UtcNow.AddMinutes(10)));
        var withCode = await browser.SignInAsync(account, MfaEnrolment.NextCode(secret));

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, withoutCode.StatusCode);
        Assert.Contains("authenticator app", await withoutCode.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongCode.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, withCode.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.Client.GetAsync("/queue-dashboard")).StatusCode);
    }

    [Fact]
    public async Task AWrongPasswordShowsTheFormAgainWithoutSayingWhichPartWasWrong()
    {
        var account = await api.CreateUserAsync(ClinicRoles.SuperAdmin);
        var browser = AdminBrowser.For(api);

        var response = await browser.SignInAsync(account with { Password = "not-the-password-0000" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Invalid e-mail address or password.", html, StringComparison.Ordinal);
        Assert.Contains(account.Email, html, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password-0000", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://attacker.example/queue-dashboard")]
    [InlineData("//attacker.example")]
    [InlineData("/api/v1/me")]
    [InlineData("/queue-dashboard//attacker.example")]
    public async Task SignInNeverRedirectsOutsideTheAdminPages(string returnUrl)
    {
        var browser = AdminBrowser.For(api);

        var response = await browser.SignInAsync(await api.CreateUserAsync(ClinicRoles.SuperAdmin), returnUrl: returnUrl);

        Assert.Equal("/queue-dashboard", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task DashboardActionsNeedTheAntiforgeryTokenOfThePage()
    {
        var jobs = api.Services.GetRequiredService<IBackgroundJobClient>();
        var job = jobs.Create(() => Console.WriteLine("dashboard test"), new ScheduledState(TimeSpan.FromHours(1)));
        var browser = AdminBrowser.For(api);
        await browser.SignInOrFailAsync(await api.CreateUserAsync(ClinicRoles.SuperAdmin));
        var (header, token) = await browser.DashboardAntiforgeryAsync();

        var forged = await browser.Client.PostAsync("/queue-dashboard/jobs/scheduled/delete", new FormUrlEncodedContent(new Dictionary<string, string> { ["jobs[]"] = job }));
        var stillScheduled = api.Services.GetRequiredService<JobStorage>().GetConnection().GetStateData(job).Name;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/queue-dashboard/jobs/scheduled/delete")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["jobs[]"] = job }),
        };
        request.Headers.Add(header, token);
        var allowed = await browser.Client.SendAsync(request);

        Assert.False(forged.IsSuccessStatusCode, $"a POST without the token answered {(int)forged.StatusCode}");
        Assert.Equal(ScheduledState.StateName, stillScheduled);
        Assert.True(allowed.IsSuccessStatusCode, $"a POST with the token answered {(int)allowed.StatusCode}");
        Assert.Equal(DeletedState.StateName, api.Services.GetRequiredService<JobStorage>().GetConnection().GetStateData(job).Name);
    }

    [Fact]
    public async Task SigningOutEndsTheSessionBehindTheCookie()
    {
        var browser = AdminBrowser.For(api);
        var signIn = await browser.SignInAsync(await api.CreateUserAsync(ClinicRoles.SuperAdmin));
        var cookie = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("hb_admin=", StringComparison.Ordinal)).Split(';')[0];
        var token = await browser.FormTokenAsync("/admin");

        var signOut = await browser.Client.PostAsync("/admin/sign-out", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        var replay = api.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false });
        replay.DefaultRequestHeaders.Add("Cookie", cookie);
        var afterwards = await replay.GetAsync("/queue-dashboard");

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal("/admin/sign-in", signOut.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, afterwards.StatusCode);
        Assert.StartsWith("/admin/sign-in", afterwards.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueueStatisticsCountWhatWaitsInEachQueue()
    {
        var statistics = api.Services.GetRequiredService<QueueStatistics>();
        var jobs = api.Services.GetRequiredService<IBackgroundJobClient>();
        var before = await statistics.ReadAsync();
        await Task.Delay(QueueStatistics.MaxAge);

        jobs.Create(() => Console.WriteLine("statistics test"), new EnqueuedState(JobQueues.Maintenance));
        jobs.Create(() => Console.WriteLine("statistics test"), new ScheduledState(TimeSpan.FromHours(1)));
        var after = await statistics.ReadAsync();

        Assert.Equal(before.EnqueuedByQueue[JobQueues.Maintenance] + 1, after.EnqueuedByQueue[JobQueues.Maintenance]);
        Assert.Equal(before.Scheduled + 1, after.Scheduled);
        Assert.Equal(JobQueues.All.Order(), after.EnqueuedByQueue.Keys.Order());
    }
}
