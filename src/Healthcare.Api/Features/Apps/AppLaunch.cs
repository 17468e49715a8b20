using System.Globalization;
using System.Security.Claims;
using Healthcare.Api.Features.Fhir;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Apps;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Healthcare.Api.Features.Apps;

/// <summary>
/// SMART App Launch, standalone: OpenIddict checks the request (client, redirect URI, PKCE S256); the person signs in,
/// narrows the scopes and picks the patient record to share; the code then carries exactly that.
/// </summary>
public static class AppLaunch
{
    public const string SignInPath = "/connect/authorize/sign-in";

    private static readonly TimeSpan TicketLifetime = TimeSpan.FromMinutes(10);

    public static IEndpointRouteBuilder MapAppLaunch(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods(AppAuthorizationServer.AuthorizePath, [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync)
            .AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        endpoints.MapPost(SignInPath, SignInAsync)
            .AllowAnonymous().DisableAntiforgery().WithAuthRateLimit().ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> AuthorizeAsync(
        HttpContext http, IAntiforgery antiforgery, HealthcareDbContext db, IDataProtectionProvider protection,
        IOptions<TokenOptions> tokens, IOpenIddictApplicationManager applications, IOpenIddictAuthorizationManager authorizations, Auditor audit)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        var parameter = AppLaunchPages.From(request);
        var app = await db.ClinicApps.AsNoTracking().SingleOrDefaultAsync(a => a.ClientId == request.ClientId && a.DisabledAt == null, http.RequestAborted);
        if (app is null || app.Kind != AppKinds.Public)
        {
            return Refuse(Errors.UnauthorizedClient, "The app is not a registered, enabled public app.");
        }

        // SMART: the app names the FHIR server it wants a token for; it must be this one.
        if (!string.Equals(parameter("aud")?.TrimEnd('/'), FhirSearch.BaseUrl(http), StringComparison.Ordinal))
        {
            return Refuse(Errors.InvalidRequest, "The aud parameter must be this server's FHIR base URL.");
        }

        if (HttpMethods.IsGet(http.Request.Method))
        {
            return AppLaunchPages.SignIn(http, antiforgery, parameter, app.Name, null, null);
        }

        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return AppLaunchPages.Problem(http, StatusCodes.Status400BadRequest, "The form has expired. Start again from the app.");
        }

        if (!TryReadTicket(protection, parameter("ticket"), out var userId))
        {
            return AppLaunchPages.SignIn(http, antiforgery, parameter, app.Name, null, "Your sign-in has expired. Sign in again.");
        }

        audit.UserId = userId;
        audit.ClinicId = app.ClinicId;
        audit.ResourceId = app.Id.ToString();
        if (parameter("decision") != "allow")
        {
            await audit.WriteAsync(AuditActions.AppToken, "AppConsent", AuditOutcomes.Denied, http.RequestAborted);
            return Refuse(Errors.AccessDenied, "The user did not allow access.");
        }

        var chosen = ((Microsoft.Extensions.Primitives.StringValues?)request["grant"] ?? default).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var granted = AppTokenEndpoint.Grant(request.GetScopes(), app.Scopes, chosen.Contains);
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId && !u.IsDisabled).Select(u => new { u.SecurityStamp }).SingleOrDefaultAsync(http.RequestAborted);
        if (user is null || granted.Count == 0)
        {
            return Refuse(Errors.AccessDenied, "No access was allowed.");
        }

        Guid? patientId = null;
        if (granted.Contains("launch/patient"))
        {
            var own = await OwnPatientsAsync(db, userId, app.ClinicId, http.RequestAborted);
            patientId = Guid.TryParse(parameter("patient"), out var picked) && own.Any(p => p.Id == picked) ? picked : null;
            if (patientId is null)
            {
                return Refuse(Errors.AccessDenied, "No patient record was chosen.");
            }
        }

        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Subject, Claims.Role);
        identity.SetClaim(Claims.Subject, userId.ToString());
        identity.SetClaim(Claims.ClientId, app.ClientId);
        identity.SetClaim(CurrentUser.SecurityStampClaim, user.SecurityStamp.ToString());
        if (patientId is { } patient)
        {
            identity.SetClaim(AppTokens.PatientClaim, patient.ToString());
            identity.SetClaim("fhirUser", $"{FhirSearch.BaseUrl(http)}/Patient/{patient}");
        }

        identity.SetScopes(granted);
        identity.SetResources(tokens.Value.Audience);

        // A lasting authorization the person can see and revoke (/api/v1/me/apps); its tokens name it.
        var registration = await applications.FindByClientIdAsync(app.ClientId, http.RequestAborted)
            ?? throw new InvalidOperationException("The app's OpenIddict registration is missing.");
        var authorization = await authorizations.CreateAsync(identity, userId.ToString(),
            (await applications.GetIdAsync(registration, http.RequestAborted))!, AuthorizationTypes.Permanent, [.. granted], http.RequestAborted);
        var authorizationId = (await authorizations.GetIdAsync(authorization, http.RequestAborted))!;
        identity.SetAuthorizationId(authorizationId);
        identity.SetClaim(AppTokens.AuthorizationClaim, authorizationId);
        identity.SetDestinations(claim => claim.Type == "fhirUser" ? [Destinations.IdentityToken] :
            claim.Type == Claims.Subject ? [Destinations.AccessToken, Destinations.IdentityToken] : [Destinations.AccessToken]);
        await audit.WriteAsync(AuditActions.AppToken, "AppConsent", AuditOutcomes.Success, http.RequestAborted);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> SignInAsync(
        HttpContext http, IAntiforgery antiforgery, Credentials credentials, HealthcareDbContext db, IDataProtectionProvider protection, Auditor audit)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        string? Parameter(string name) => form[name].ToString() is { Length: > 0 } value ? value : null;
        var clientId = Parameter("client_id");
        var app = clientId is null ? null : await db.ClinicApps.AsNoTracking().SingleOrDefaultAsync(a => a.ClientId == clientId && a.DisabledAt == null, http.RequestAborted);
        if (app is null || !await antiforgery.IsRequestValidAsync(http))
        {
            return AppLaunchPages.Problem(http, StatusCodes.Status400BadRequest, "The form has expired. Start again from the app.");
        }

        var email = Parameter("email");
        var password = Parameter("password");
        if (email is null || password is null || email.Length > 254 || password.Length > 1024 || Parameter("code") is { Length: > 20 })
        {
            return AppLaunchPages.SignIn(http, antiforgery, Parameter, app.Name, email, "Enter your e-mail address and password.", StatusCodes.Status400BadRequest);
        }

        var check = await credentials.CheckAsync(email, password, Parameter("code"), http.Connection.RemoteIpAddress?.ToString(), http.RequestAborted);
        if (check.Status != SignInStatus.Success)
        {
            var message = check.Status switch
            {
                SignInStatus.SecondFactorRequired => "Enter the code from your authenticator app (or a recovery code).",
                SignInStatus.Throttled => "Too many failed sign-in attempts. Wait before trying again.",
                _ => "Invalid e-mail address or password.",
            };
            return AppLaunchPages.SignIn(http, antiforgery, Parameter, app.Name, email, message, StatusCodes.Status401Unauthorized);
        }

        var user = check.User!;
        audit.UserId = user.Id;
        audit.ClinicId = app.ClinicId;
        audit.ResourceId = app.Id.ToString();
        await audit.WriteAsync(AuditActions.Login, "AppConsent", AuditOutcomes.Success, http.RequestAborted);
        var requested = (Parameter("scope") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var offered = AppTokenEndpoint.Grant(requested, app.Scopes, _ => true);
        var patients = offered.Contains("launch/patient") ? await OwnPatientsAsync(db, user.Id, app.ClinicId, http.RequestAborted) : [];
        var ticket = protection.CreateProtector(TicketPurpose).ToTimeLimitedDataProtector()
            .Protect(user.Id.ToString(), TicketLifetime);
        var error = offered.Contains("launch/patient") && patients.Count == 0 ? "Your account has no patient record at this clinic to share." : null;
        return AppLaunchPages.Consent(http, antiforgery, Parameter, app.Name, ticket, offered, patients, error);
    }

    private const string TicketPurpose = "app-launch-sign-in";

    private static bool TryReadTicket(IDataProtectionProvider protection, string? ticket, out Guid userId)
    {
        userId = default;
        try
        {
            return ticket is not null &&
                Guid.TryParse(protection.CreateProtector(TicketPurpose).ToTimeLimitedDataProtector().Unprotect(ticket), out userId);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    /// <summary>The patient records linked to the user's account, within the app's clinic, labelled for the picker.</summary>
    private static async Task<List<(Guid Id, string Label)>> OwnPatientsAsync(HealthcareDbContext db, Guid userId, Guid? clinicId, CancellationToken cancellationToken)
    {
        var rows = await db.Patients.AsNoTracking()
            .Where(p => p.UserId == userId && (clinicId == null || p.ClinicId == clinicId))
            .OrderBy(p => p.FamilyName).ThenBy(p => p.GivenName)
            .Select(p => new { p.Id, p.GivenName, p.FamilyName, p.DateOfBirth })
            .ToListAsync(cancellationToken);
        return [.. rows.Select(p => (p.Id, $"{p.GivenName} {p.FamilyName}, born {p.DateOfBirth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}"))];
    }

    private static IResult Refuse(string error, string description) => Results.Forbid(
        new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }),
        [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
}
