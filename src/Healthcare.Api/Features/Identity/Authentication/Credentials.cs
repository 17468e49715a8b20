using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Observability;
using Healthcare.Core.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Identity.Authentication;

public enum SignInStatus
{
    Success,
    InvalidCredentials,
    Throttled,
    SecondFactorRequired,
    SecondFactorInvalid,
    EmailNotVerified,
}

/// <summary>The outcome of checking a sign-in; <see cref="User"/> is set on success only.</summary>
public sealed record SignInCheck(SignInStatus Status, User? User = null, TimeSpan RetryAfter = default);

/// <summary>
/// The one place that checks an e-mail address, a password and a second factor, for the API's login and the admin
/// pages' sign-in alike: same throttling, same audit trail, same answers for unknown and disabled accounts.
/// </summary>
public sealed class Credentials(
    HealthcareDbContext db, LoginThrottle throttle, FieldEncryption encryption, Auditor audit, TimeProvider clock, HealthcareMetrics metrics)
{
    public const string SessionResource = "Session";

    /// <summary>The audit reason of a refused sign-in with the right password to an address never confirmed.</summary>
    public const string EmailNotVerifiedReason = "email-not-verified";

    /// <summary>
    /// Checks a sign-in. <paramref name="addressProven"/> says that the caller also holds something sent to the address
    /// (an invitation): an account whose address was never confirmed is then confirmed, where a plain sign-in refuses it.
    /// </summary>
    public async Task<SignInCheck> CheckAsync(
        string emailAddress, string password, string? mfaCode, string? ip, CancellationToken cancellationToken, bool addressProven = false)
    {
        var email = User.NormalizeEmail(emailAddress);
        if (await throttle.RetryAfterAsync(email, ip) is { } wait)
        {
            metrics.LoginFailed();
            await audit.WriteAsync(AuditActions.FailedLogin, SessionResource, AuditOutcomes.Denied, cancellationToken);
            return new SignInCheck(SignInStatus.Throttled, RetryAfter: wait);
        }

        var user = await db.Users.Include(u => u.Memberships).SingleOrDefaultAsync(u => u.Email == email, cancellationToken);
        var check = PasswordHashing.Verify(user?.PasswordHash, password);
        if (user is null || check == PasswordCheck.Failed || user.IsDisabled)
        {
            // The attempted e-mail is not recorded: it may belong to nobody, or be a password typed in the wrong box.
            await throttle.RecordFailureAsync(email, ip);
            metrics.LoginFailed();
            await audit.WriteAsync(AuditActions.FailedLogin, SessionResource, AuditOutcomes.Denied, cancellationToken, userId: user?.Id);
            return new SignInCheck(SignInStatus.InvalidCredentials);
        }

        if (user.EmailVerifiedAt is null && !addressProven)
        {
            // The password was right, so saying that the address still needs confirming reveals nothing new.
            await audit.WriteAsync(AuditActions.FailedLogin, SessionResource, AuditOutcomes.Denied, cancellationToken, userId: user.Id, reason: EmailNotVerifiedReason);
            return new SignInCheck(SignInStatus.EmailNotVerified);
        }

        if (user.MfaEnabled && string.IsNullOrWhiteSpace(mfaCode))
        {
            // The password was right: say that a second factor is needed, and nothing else.
            return new SignInCheck(SignInStatus.SecondFactorRequired);
        }

        if (user.MfaEnabled && !await MfaApi.SecondFactorAsync(db, encryption, user, mfaCode, clock.GetUtcNow(), cancellationToken))
        {
            await throttle.RecordFailureAsync(email, ip);
            metrics.LoginFailed();
            await audit.WriteAsync(AuditActions.FailedLogin, SessionResource, AuditOutcomes.Denied, cancellationToken, userId: user.Id);
            return new SignInCheck(SignInStatus.SecondFactorInvalid);
        }

        if (check == PasswordCheck.SuccessRehashNeeded)
        {
            user.PasswordHash = PasswordHashing.Hash(password);
        }

        user.EmailVerifiedAt ??= clock.GetUtcNow();
        await throttle.RecordSuccessAsync(email, ip);
        return new SignInCheck(SignInStatus.Success, user);
    }

    /// <summary>
    /// The answer to a check that was throttled or needs a (better) second factor; null for a wrong e-mail address
    /// or password, which each caller words for its own form.
    /// </summary>
    public static ProblemHttpResult? Refusal(SignInCheck check, HttpContext http)
    {
        switch (check.Status)
        {
            case SignInStatus.Throttled:
                http.Response.Headers.RetryAfter = ((int)Math.Ceiling(check.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Problem(
                    title: "Too many failed sign-in attempts.",
                    detail: "Wait before trying again, or reset the password.",
                    statusCode: StatusCodes.Status429TooManyRequests);
            case SignInStatus.SecondFactorRequired:
                return TypedResults.Problem(
                    title: "A second factor is required.",
                    detail: "Send the current code from the authenticator app, or a recovery code, as mfaCode.",
                    statusCode: StatusCodes.Status401Unauthorized,
                    extensions: new Dictionary<string, object?> { ["mfaRequired"] = true });
            case SignInStatus.EmailNotVerified:
                return TypedResults.Problem(
                    title: "Confirm your e-mail address first.",
                    detail: "Open the link sent to the address, or ask for a new one with POST /api/v1/auth/resend-verification.",
                    statusCode: StatusCodes.Status403Forbidden,
                    extensions: new Dictionary<string, object?> { ["emailVerificationRequired"] = true });
            case SignInStatus.SecondFactorInvalid:
                return TypedResults.Problem(
                    title: "The second-factor code is not valid.",
                    statusCode: StatusCodes.Status401Unauthorized,
                    extensions: new Dictionary<string, object?> { ["mfaRequired"] = true });
            default:
                return null;
        }
    }

    /// <summary>Starts a session for a checked user and records the sign-in.</summary>
    public static async Task<(Session Session, string RefreshToken)> StartSessionAsync(
        User user, HttpContext http, Sessions sessions, Auditor audit, CancellationToken cancellationToken)
    {
        var isStaff = user.IsSuperAdmin || user.Memberships.Any(m => m.Role != ClinicRoles.Patient);
        var started = await sessions.StartAsync(
            user, isStaff, http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString(), cancellationToken);
        audit.ResourceId = started.Session.Id.ToString();
        await audit.WriteAsync(AuditActions.Login, SessionResource, AuditOutcomes.Success, cancellationToken, userId: user.Id);
        return started;
    }
}
