using System.Net;
using System.Text.RegularExpressions;
using Healthcare.Testing;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Healthcare.IntegrationTests.Admin;

/// <summary>A cookie-keeping client that uses the admin pages the way a browser does: read the form, post it back.</summary>
public sealed partial class AdminBrowser(HttpClient client)
{
    public HttpClient Client { get; } = client;

    public static AdminBrowser For(ApiFactory api) =>
        new(api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    /// <summary>Opens the sign-in form and posts it; returns the answer to the post.</summary>
    public async Task<HttpResponseMessage> SignInAsync(TestAccount account, string? code = null, string returnUrl = "/queue-dashboard")
    {
        var token = await FormTokenAsync("/admin/sign-in");
        var fields = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["email"] = account.Email,
            ["password"] = account.Password,
            ["returnUrl"] = returnUrl,
        };
        if (code is not null)
        {
            fields["code"] = code;
        }

        return await Client.PostAsync("/admin/sign-in", new FormUrlEncodedContent(fields));
    }

    /// <summary>Signs in and checks that the browser is sent on to the dashboard.</summary>
    public async Task SignInOrFailAsync(TestAccount account, string? code = null)
    {
        var response = await SignInAsync(account, code);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"sign-in answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The anti-forgery token of the form on <paramref name="path"/>.</summary>
    public async Task<string> FormTokenAsync(string path)
    {
        var html = await Client.GetStringAsync(path);
        return FormToken().Match(html) is { Success: true } match
            ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : throw new InvalidOperationException($"No anti-forgery field on {path}.");
    }

    /// <summary>The header name and token the Hangfire dashboard's scripts send with their POST requests.</summary>
    public async Task<(string Header, string Token)> DashboardAntiforgeryAsync()
    {
        var html = await Client.GetStringAsync("/queue-dashboard");
        var header = DashboardHeader().Match(html);
        var token = DashboardToken().Match(html);
        Assert.True(header.Success && token.Success, "The dashboard page carries no anti-forgery token.");
        return (WebUtility.HtmlDecode(header.Groups[1].Value), WebUtility.HtmlDecode(token.Groups[1].Value));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [GeneratedRegex("<meta name=\"csrf-header\" content=\"([^\"]+)\"")]
    private static partial Regex DashboardHeader();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\"")]
    private static partial Regex DashboardToken();
}
