using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Healthcare.Api.Features.Identity;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Admin;

/// <summary>
/// The admin pages' sign-in: e-mail, password and (when enrolled) the authenticator code, checked exactly like the
/// API's login. Success starts an ordinary session and puts an access token in a cookie that only the admin pages
/// read: HttpOnly, SameSite=Strict, Secure (and <c>__Host-</c> named) over HTTPS, and no longer-lived than the token.
/// </summary>
public static class AdminSignIn
{
    public const string Path = "/admin/sign-in";
    public const string SignOutPath = "/admin/sign-out";
    public const string HomePath = "/admin";

    private static readonly PageTemplate Shell = PageTemplate.Load(typeof(AdminSignIn), "page.html");
    private static readonly string Styles = PageTemplate.Read(typeof(AdminSignIn), "page.css");
    private static readonly PageTemplate SignInMarkup = PageTemplate.Load(typeof(AdminSignIn), "sign-in.html");
    private static readonly PageTemplate HomeMarkup = PageTemplate.Load(typeof(AdminSignIn), "home.html");

    /// <summary>Over HTTPS the <c>__Host-</c> prefix makes browsers insist on Secure, Path=/ and no Domain.</summary>
    public static string CookieName(HttpRequest request) => request.IsHttps ? "__Host-hb_admin" : "hb_admin";

    public static IEndpointRouteBuilder MapAdminSignIn(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("").ExcludeFromDescription();
        group.MapGet(Path, ShowForm).AllowAnonymous();
        group.MapPost(Path, SignInAsync).AllowAnonymous().WithAuthRateLimit();
        group.MapGet(HomePath, Home).RequireAuthorization(AdminPages.Policy);
        group.MapPost(SignOutPath, SignOutAsync)
            .RequireAuthorization(policy => policy.AddAuthenticationSchemes(AdminPages.Scheme).RequireAuthenticatedUser())
            .WithMetadata(new RequireAntiforgeryTokenAttribute());
        return endpoints;
    }

    private static IResult ShowForm(HttpContext http, IAntiforgery antiforgery, string? returnUrl) =>
        Page(http, StatusCodes.Status200OK, "Sign in", SignInForm(http, antiforgery, null, null, SafeReturnUrl(returnUrl)));

    private static async Task<IResult> SignInAsync(
        [FromForm] SignInForm form, HttpContext http, IAntiforgery antiforgery, Credentials credentials, Sessions sessions,
        AccessTokens tokens, Auditor audit, CancellationToken cancellationToken)
    {
        var returnUrl = SafeReturnUrl(form.ReturnUrl);
        if (string.IsNullOrWhiteSpace(form.Email) || string.IsNullOrEmpty(form.Password) ||
            form.Email.Length > 254 || form.Password.Length > 1024 || form.Code is { Length: > 20 })
        {
            return Retry(StatusCodes.Status400BadRequest, "Enter your e-mail address and password.");
        }

        var check = await credentials.CheckAsync(
            form.Email, form.Password, form.Code, http.Connection.RemoteIpAddress?.ToString(), cancellationToken);
        switch (check.Status)
        {
            case SignInStatus.Success:
                var (session, _) = await Credentials.StartSessionAsync(check.User!, http, sessions, audit, cancellationToken);
                var (token, lifetime) = tokens.Issue(check.User!.Id, check.User.SecurityStamp, session.Id);
                http.Response.Cookies.Append(CookieName(http.Request), token, new CookieOptions
                {
                    HttpOnly = true,
                    Secure = http.Request.IsHttps,
                    SameSite = SameSiteMode.Strict,
                    Path = "/",
                    MaxAge = TimeSpan.FromSeconds(lifetime),
                    IsEssential = true,
                });
                return Results.Redirect(returnUrl);
            case SignInStatus.Throttled:
                http.Response.Headers.RetryAfter = ((int)Math.Ceiling(check.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return Retry(StatusCodes.Status429TooManyRequests, "Too many failed sign-in attempts. Wait before trying again.");
            case SignInStatus.SecondFactorRequired:
                return Retry(StatusCodes.Status401Unauthorized, "Enter the code from your authenticator app (or a recovery code).");
            case SignInStatus.SecondFactorInvalid:
                return Retry(StatusCodes.Status401Unauthorized, "The authenticator code is not valid.");
            case SignInStatus.EmailNotVerified:
                return Retry(StatusCodes.Status403Forbidden, "Confirm your e-mail address first: open the link sent to it.");
            default:
                return Retry(StatusCodes.Status401Unauthorized, "Invalid e-mail address or password.");
        }

        IResult Retry(int status, string message) =>
            Page(http, status, "Sign in", SignInForm(http, antiforgery, form.Email, message, returnUrl));
    }

    private static IResult Home(HttpContext http, IAntiforgery antiforgery)
    {
        var pages = new StringBuilder();
        foreach (var page in AdminPages.Pages)
        {
            pages.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{page}\">{page}</a></li>");
        }

        var body = HomeMarkup.Render(("pages", pages.ToString()), ("antiforgery", AntiforgeryField(http, antiforgery)));
        return Page(http, StatusCodes.Status200OK, "Operations", body);
    }

    private static async Task<IResult> SignOutAsync(
        HttpContext http, CurrentUser caller, HealthcareDbContext db, Sessions sessions, Auditor audit, CancellationToken cancellationToken)
    {
        var session = await db.Sessions.SingleOrDefaultAsync(s => s.Id == caller.SessionId && s.UserId == caller.Id, cancellationToken);
        if (session is not null)
        {
            await sessions.RevokeAsync(session, SessionRevocations.Logout, cancellationToken);
        }

        audit.ResourceId = caller.SessionId?.ToString();
        await audit.WriteAsync(AuditActions.Logout, Credentials.SessionResource, AuditOutcomes.Success, cancellationToken);
        http.Response.Cookies.Delete(CookieName(http.Request), new CookieOptions { Path = "/", Secure = http.Request.IsHttps });
        return Results.Redirect(Path);
    }

    /// <summary>Only the admin pages themselves: never another site, never an API URL.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is not null && AdminPages.Pages.Append(HomePath).Any(page =>
            returnUrl == page || (returnUrl.StartsWith(page + "/", StringComparison.Ordinal) && !returnUrl.Contains("//", StringComparison.Ordinal)))
            ? returnUrl
            : AdminPages.QueueDashboardPath;

    private static string SignInForm(HttpContext http, IAntiforgery antiforgery, string? email, string? message, string returnUrl)
    {
        var html = HtmlEncoder.Default;
        return SignInMarkup.Render(
            ("error", message is null ? "" : $"<p class=\"error\" role=\"alert\">{html.Encode(message)}</p>"),
            ("antiforgery", AntiforgeryField(http, antiforgery)),
            ("returnUrl", html.Encode(returnUrl)),
            ("email", html.Encode(email ?? "")));
    }

    private static string AntiforgeryField(HttpContext http, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        return $"<input type=\"hidden\" name=\"{HtmlEncoder.Default.Encode(tokens.FormFieldName)}\" value=\"{HtmlEncoder.Default.Encode(tokens.RequestToken ?? "")}\">";
    }

    private static IResult Page(HttpContext http, int status, string title, string body)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.ContentSecurityPolicy =
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
        var html = Shell.Render(("title", HtmlEncoder.Default.Encode(title)), ("styles", Styles), ("body", body));
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }
}

/// <summary>The sign-in form's fields, as posted by the browser; any may be missing.</summary>
public sealed class SignInForm
{
    public string? Email { get; set; }

    public string? Password { get; set; }

    public string? Code { get; set; }

    public string? ReturnUrl { get; set; }
}
