using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Healthcare.Api.Features.Admin;
using Microsoft.AspNetCore.Antiforgery;
using OpenIddict.Abstractions;

namespace Healthcare.Api.Features.Apps;

/// <summary>
/// The pages a person sees when an app asks for access: sign-in, then consent with the scopes to narrow and the
/// patient record to share. The OAuth request travels between them in hidden fields, never in a URL the pages make;
/// the pages take the admin pages' protections (strict CSP, anti-forgery, no caching).
/// </summary>
public static class AppLaunchPages
{
    /// <summary>The authorization request's parameters that the pages carry from form to form.</summary>
    public static readonly string[] Carried =
        ["client_id", "redirect_uri", "response_type", "scope", "state", "code_challenge", "code_challenge_method", "aud", "nonce"];

    private static readonly PageTemplate Shell = PageTemplate.Load(typeof(AdminSignIn), "page.html");
    private static readonly string Styles = PageTemplate.Read(typeof(AdminSignIn), "page.css");
    private static readonly PageTemplate SignInMarkup = PageTemplate.Load(typeof(AppLaunchPages), "launch-sign-in.html");
    private static readonly PageTemplate ConsentMarkup = PageTemplate.Load(typeof(AppLaunchPages), "consent.html");

    public static IResult SignIn(HttpContext http, IAntiforgery antiforgery, Func<string, string?> parameter, string app, string? email, string? error, int status = 200) =>
        Page(http, status, "Sign in", null, SignInMarkup.Render(
            ("app", Encode(app)),
            ("error", Error(error)),
            ("antiforgery", AntiforgeryField(http, antiforgery)),
            ("request", Hidden(parameter)),
            ("email", Encode(email ?? ""))));

    public static IResult Consent(
        HttpContext http, IAntiforgery antiforgery, Func<string, string?> parameter, string app, string ticket, IEnumerable<string> scopes,
        IReadOnlyList<(Guid Id, string Label)> patients, string? error)
    {
        var boxes = new StringBuilder();
        foreach (var scope in scopes)
        {
            boxes.Append(CultureInfo.InvariantCulture,
                $"<label><input type=\"checkbox\" name=\"grant\" value=\"{Encode(scope)}\" checked> <code>{Encode(scope)}</code></label>");
        }

        var choices = new StringBuilder();
        if (patients.Count > 0)
        {
            choices.Append("<fieldset><legend>Patient record to share</legend>");
            for (var i = 0; i < patients.Count; i++)
            {
                choices.Append(CultureInfo.InvariantCulture,
                    $"<label><input type=\"radio\" name=\"patient\" value=\"{patients[i].Id}\"{(i == 0 ? " checked" : "")}> {Encode(patients[i].Label)}</label>");
            }

            choices.Append("</fieldset>");
        }

        // The consent form's answer is a redirect to the app: the CSP lets the form lead there and nowhere else.
        var redirect = Uri.TryCreate(parameter("redirect_uri"), UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : null;
        return Page(http, StatusCodes.Status200OK, "Allow access", redirect, ConsentMarkup.Render(
            ("app", Encode(app)),
            ("error", Error(error)),
            ("antiforgery", AntiforgeryField(http, antiforgery)),
            ("request", Hidden(parameter)),
            ("ticket", Encode(ticket)),
            ("scopes", boxes.ToString()),
            ("patients", choices.ToString())));
    }

    /// <summary>A dead end: the request cannot go on (expired form, unknown app); the person starts again from the app.</summary>
    public static IResult Problem(HttpContext http, int status, string message) =>
        Page(http, status, "Cannot continue", null, $"<h1>Cannot continue</h1>{Error(message)}");

    public static Func<string, string?> From(OpenIddictRequest request) => name => (string?)request[name];

    private static string Hidden(Func<string, string?> parameter)
    {
        var fields = new StringBuilder();
        foreach (var name in Carried)
        {
            if (parameter(name) is { Length: > 0 and <= 4000 } value)
            {
                fields.Append(CultureInfo.InvariantCulture, $"<input type=\"hidden\" name=\"{name}\" value=\"{Encode(value)}\">");
            }
        }

        return fields.ToString();
    }

    private static string Error(string? message) => message is null ? "" : $"<p class=\"error\" role=\"alert\">{Encode(message)}</p>";

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);

    private static string AntiforgeryField(HttpContext http, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        return $"<input type=\"hidden\" name=\"{Encode(tokens.FormFieldName)}\" value=\"{Encode(tokens.RequestToken ?? "")}\">";
    }

    private static IResult Page(HttpContext http, int status, string title, string? redirectOrigin, string body)
    {
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.ContentSecurityPolicy =
            $"default-src 'none'; style-src 'unsafe-inline'; form-action 'self'{(redirectOrigin is null ? "" : " " + redirectOrigin)}; frame-ancestors 'none'; base-uri 'none'";
        var html = Shell.Render(("title", Encode(title)), ("styles", Styles), ("body", body));
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }
}
