using System.ComponentModel.DataAnnotations;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Identity;

/// <summary>Sign-in, token refresh, sessions and the caller's own profile.</summary>
public static class AuthApi
{
    private const string SessionResource = Credentials.SessionResource;

    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder endpoints)
    {
        var anonymous = endpoints.MapGroup("/api/v1/auth").WithTags("Authentication").AllowAnonymous().WithAuthRateLimit();
        anonymous.MapPost("/login", Login)
            .WithName("Login")
            .WithSummary("Exchange an e-mail address and password for an access token and a refresh token. An address not yet confirmed answers 403 (emailVerificationRequired).")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        anonymous.MapPost("/refresh", Refresh)
            .WithName("Refresh")
            .WithSummary("Exchange a refresh token (once) for a new access token and a new refresh token.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        var signedIn = endpoints.MapGroup("/api/v1/auth").WithTags("Authentication").RequireAuthorization();
        signedIn.MapPost("/logout", Logout)
            .WithName("Logout")
            .WithSummary("End the current session: its refresh token and access tokens stop working.")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        signedIn.MapPost("/logout-all", LogoutAll)
            .WithName("LogoutAll")
            .WithSummary("End every session of the signed-in user, on every device.")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        signedIn.MapGet("/sessions", ListSessions)
            .WithName("ListSessions")
            .WithSummary("The signed-in user's active sessions.")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        signedIn.MapDelete("/sessions/{id:guid}", RevokeSession)
            .WithName("RevokeSession")
            .WithSummary("End one of the signed-in user's sessions.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);

        endpoints.MapGet("/.well-known/jwks.json", (SigningKeys keys) => TypedResults.Ok(keys.ToJwks()))
            .AllowAnonymous()
            .WithTags("Authentication")
            .WithName("GetJwks")
            .WithSummary("Public keys that verify this API's access tokens (JSON Web Key Set).");

        endpoints.MapGet("/api/v1/me", GetMe)
            .RequireAuthorization()
            .WithTags("Authentication")
            .WithName("GetMe")
            .WithSummary("The signed-in user and their clinic roles.")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return endpoints;
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> Login(
        LoginRequest request, HttpContext http, Credentials credentials, AccessTokens tokens, Sessions sessions, Auditor audit,
        CancellationToken cancellationToken)
    {
        var check = await credentials.CheckAsync(
            request.Email, request.Password, request.MfaCode, http.Connection.RemoteIpAddress?.ToString(), cancellationToken);
        if (check.Status != SignInStatus.Success)
        {
            return Credentials.Refusal(check, http) ?? InvalidCredentials();
        }

        var user = check.User!;
        var (session, refreshToken) = await Credentials.StartSessionAsync(user, http, sessions, audit, cancellationToken);
        return TypedResults.Ok(Tokens(tokens, user, session, refreshToken));
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> Refresh(
        RefreshRequest request, Sessions sessions, AccessTokens tokens, Auditor audit, CancellationToken cancellationToken)
    {
        var (outcome, session, refreshToken) = await sessions.RefreshAsync(request.RefreshToken, cancellationToken);
        if (outcome == RefreshOutcome.Reused)
        {
            audit.ResourceId = session!.Id.ToString();
            await audit.WriteAsync(AuditActions.TokenReuse, SessionResource, AuditOutcomes.Denied, cancellationToken, userId: session.UserId);
        }

        if (outcome != RefreshOutcome.Refreshed)
        {
            return TypedResults.Problem(
                title: "The refresh token is not valid.",
                detail: "Sign in again.",
                statusCode: StatusCodes.Status401Unauthorized);
        }

        return TypedResults.Ok(Tokens(tokens, session!.User!, session, refreshToken!));
    }

    private static async Task<NoContent> Logout(
        CurrentUser caller, HealthcareDbContext db, Sessions sessions, Auditor audit, CancellationToken cancellationToken)
    {
        var session = await db.Sessions.SingleOrDefaultAsync(s => s.Id == caller.SessionId && s.UserId == caller.Id, cancellationToken);
        if (session is not null)
        {
            await sessions.RevokeAsync(session, SessionRevocations.Logout, cancellationToken);
        }

        audit.ResourceId = caller.SessionId?.ToString();
        await audit.WriteAsync(AuditActions.Logout, SessionResource, AuditOutcomes.Success, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> LogoutAll(
        CurrentUser caller, Sessions sessions, Auditor audit, CancellationToken cancellationToken)
    {
        await sessions.RevokeAllAsync(caller.Id, SessionRevocations.LogoutAll, cancellationToken);
        await audit.WriteAsync(AuditActions.LogoutAll, SessionResource, AuditOutcomes.Success, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<SessionDto>>> ListSessions(
        CurrentUser caller, HealthcareDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var current = caller.SessionId;
        var list = await db.Sessions
            .Where(s => s.UserId == caller.Id && s.RevokedAt == null && s.IdleExpiresAt > now && s.AbsoluteExpiresAt > now)
            .OrderByDescending(s => s.LastUsedAt)
            .Select(s => new SessionDto(s.Id, s.CreatedAt, s.LastUsedAt, s.IdleExpiresAt, s.IpAddress, s.UserAgent, s.Id == current))
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(list);
    }

    private static async Task<Results<NoContent, NotFound>> RevokeSession(
        Guid id, CurrentUser caller, HealthcareDbContext db, Sessions sessions, Auditor audit, CancellationToken cancellationToken)
    {
        // Another user's session is simply not found.
        var session = await db.Sessions.SingleOrDefaultAsync(s => s.Id == id && s.UserId == caller.Id && s.RevokedAt == null, cancellationToken);
        audit.ResourceId = id.ToString();
        if (session is null)
        {
            await audit.WriteAsync(AuditActions.Logout, SessionResource, AuditOutcomes.Denied, cancellationToken);
            return TypedResults.NotFound();
        }

        await sessions.RevokeAsync(session, SessionRevocations.Revoked, cancellationToken);
        await audit.WriteAsync(AuditActions.Logout, SessionResource, AuditOutcomes.Success, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<MeResponse>, NotFound>> GetMe(
        CurrentUser caller, HealthcareDbContext db, CancellationToken cancellationToken)
    {
        var me = await db.Users
            .Where(u => u.Id == caller.Id && !u.IsDisabled)
            .Select(u => new MeResponse(
                u.Id,
                u.Email,
                u.DisplayName,
                u.IsSuperAdmin,
                u.Memberships
                    .OrderBy(m => m.Clinic!.Name)
                    .Select(m => new MembershipDto(m.ClinicId, m.Clinic!.Name, m.Role))
                    .ToList()))
            .AsNoTracking()
            .SingleOrDefaultAsync(cancellationToken);
        return me is null ? TypedResults.NotFound() : TypedResults.Ok(me);
    }

    private static TokenResponse Tokens(AccessTokens tokens, User user, Session session, string refreshToken)
    {
        var (accessToken, expiresIn) = tokens.Issue(user.Id, user.SecurityStamp, session.Id);
        return new TokenResponse(accessToken, "Bearer", expiresIn, refreshToken, session.IdleExpiresAt);
    }

    private static ProblemHttpResult InvalidCredentials() =>
        // One answer for unknown e-mail, wrong password and disabled account: no account enumeration.
        TypedResults.Problem(title: "Invalid e-mail address or password.", statusCode: StatusCodes.Status401Unauthorized);
}

public sealed record LoginRequest(
    [property: Required, EmailAddress, MaxLength(254)] string Email,
    [property: Required, MaxLength(1024)] string Password,
    [property: MaxLength(20)] string? MfaCode = null);

public sealed record RefreshRequest([property: Required, MaxLength(100)] string RefreshToken);

/// <summary>Tokens for the client. The refresh token is shown once: only its hash is stored.</summary>
public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken, DateTimeOffset RefreshTokenIdleExpiresAt);

public sealed record MeResponse(Guid Id, string Email, string DisplayName, bool IsSuperAdmin, IReadOnlyList<MembershipDto> Memberships);

public sealed record MembershipDto(Guid ClinicId, string ClinicName, [property: OneOf(typeof(ClinicRoles))] string Role);

public sealed record SessionDto(
    Guid Id, DateTimeOffset CreatedAt, DateTimeOffset LastUsedAt, DateTimeOffset IdleExpiresAt, string? IpAddress, string? UserAgent, bool Current);
