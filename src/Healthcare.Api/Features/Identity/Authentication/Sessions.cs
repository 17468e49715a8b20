using System.Security.Cryptography;
using Healthcare.Api.Platform;
using Healthcare.Core.Configuration;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ZiggyCreatures.Caching.Fusion;

namespace Healthcare.Api.Features.Identity.Authentication;

/// <summary>Session lifetimes: HIPAA automatic logoff for staff, longer for patients on their own devices.</summary>
public sealed class SessionOptions
{
    [ConfigurationKeyName("SESSION_IDLE_MINUTES_STAFF")]
    public int StaffIdleMinutes { get; set; } = 30;

    [ConfigurationKeyName("SESSION_IDLE_MINUTES_PATIENT")]
    public int PatientIdleMinutes { get; set; } = 7 * 24 * 60;

    [ConfigurationKeyName("SESSION_ABSOLUTE_HOURS_STAFF")]
    public int StaffAbsoluteHours { get; set; } = 12;

    [ConfigurationKeyName("SESSION_ABSOLUTE_HOURS_PATIENT")]
    public int PatientAbsoluteHours { get; set; } = 30 * 24;
}

internal sealed class SessionOptionsValidator : IValidateOptions<SessionOptions>
{
    public ValidateOptionsResult Validate(string? name, SessionOptions options)
    {
        var failures = new List<string>();
        Settings.RequireRange(failures, "SESSION_IDLE_MINUTES_STAFF", options.StaffIdleMinutes, 1, 24 * 60);
        Settings.RequireRange(failures, "SESSION_IDLE_MINUTES_PATIENT", options.PatientIdleMinutes, 1, 90 * 24 * 60);
        Settings.RequireRange(failures, "SESSION_ABSOLUTE_HOURS_STAFF", options.StaffAbsoluteHours, 1, 7 * 24);
        Settings.RequireRange(failures, "SESSION_ABSOLUTE_HOURS_PATIENT", options.PatientAbsoluteHours, 1, 365 * 24);
        return Settings.Result(failures);
    }
}

/// <summary>What a refresh produced, or why it did not.</summary>
public enum RefreshOutcome
{
    Refreshed,
    Invalid,
    Expired,
    Reused,
}

/// <summary>
/// Sessions and their rotating refresh tokens. A refresh token is 256 random bits shown to the client once and
/// stored as its SHA-256; each works once, and presenting a used one revokes the whole session.
/// </summary>
public sealed class Sessions(HealthcareDbContext db, TimeProvider clock, IOptions<SessionOptions> options, AuthStateCache cache)
{
    public async Task<(Session Session, string RefreshToken)> StartAsync(User user, bool isStaff, string? ipAddress, string? userAgent, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var settings = options.Value;
        var session = new Session
        {
            UserId = user.Id,
            CreatedAt = now,
            LastUsedAt = now,
            IdleExpiresAt = now.AddMinutes(isStaff ? settings.StaffIdleMinutes : settings.PatientIdleMinutes),
            AbsoluteExpiresAt = now.AddHours(isStaff ? settings.StaffAbsoluteHours : settings.PatientAbsoluteHours),
            IpAddress = ipAddress,
            UserAgent = userAgent is { Length: > 256 } ? userAgent[..256] : userAgent,
        };
        db.Sessions.Add(session);
        var token = NewToken(session.Id, now);
        await db.SaveChangesAsync(cancellationToken);
        return (session, token);
    }

    public async Task<(RefreshOutcome Outcome, Session? Session, string? RefreshToken)> RefreshAsync(string presented, CancellationToken cancellationToken)
    {
        if (Tokens.Decode(presented) is not { } raw)
        {
            return (RefreshOutcome.Invalid, null, null);
        }

        var hash = SHA256.HashData(raw);
        var now = clock.GetUtcNow();
        var stored = await db.RefreshTokens.Include(t => t.Session).ThenInclude(s => s!.User)
            .SingleOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (stored?.Session is not { User: { } user } session)
        {
            return (RefreshOutcome.Invalid, null, null);
        }

        // Claim the token atomically: of two concurrent refreshes with one token, only one wins.
        var claimed = await db.RefreshTokens
            .Where(t => t.Id == stored.Id && t.UsedAt == null)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.UsedAt, now), cancellationToken);
        if (claimed == 0)
        {
            // A used token came back: it was stolen or replayed. End the whole family.
            await RevokeAsync(session, SessionRevocations.TokenReuse, cancellationToken);
            return (RefreshOutcome.Reused, session, null);
        }

        if (!session.IsActiveAt(now) || user.IsDisabled)
        {
            return (RefreshOutcome.Expired, session, null);
        }

        var idle = session.IdleExpiresAt - session.LastUsedAt;
        session.LastUsedAt = now;
        session.IdleExpiresAt = now + idle;
        var token = NewToken(session.Id, now);
        await db.SaveChangesAsync(cancellationToken);
        // The cached deadline moved: every instance reads the new one.
        await cache.ForgetSessionAsync(session.Id, cancellationToken);
        return (RefreshOutcome.Refreshed, session, token);
    }

    public async Task RevokeAsync(Session session, string reason, CancellationToken cancellationToken)
    {
        session.Revoke(clock.GetUtcNow(), reason);
        await db.SaveChangesAsync(cancellationToken);
        await cache.ForgetSessionAsync(session.Id, cancellationToken);
    }

    /// <summary>Ends every session of the user and changes their security stamp, so every access token dies too.</summary>
    public async Task RevokeAllAsync(Guid userId, string reason, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await db.Sessions.Where(s => s.UserId == userId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.RevokedReason, reason), cancellationToken);
        await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.SecurityStamp, Guid.NewGuid()), cancellationToken);
        await cache.ForgetUserAsync(userId, cancellationToken);
    }

    /// <summary>Changes the user's security stamp: every access token dies, sessions may refresh into new ones.</summary>
    public async Task ChangeStampAsync(Guid userId, CancellationToken cancellationToken)
    {
        await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.SecurityStamp, Guid.NewGuid()), cancellationToken);
        await cache.ForgetUserAsync(userId, cancellationToken);
    }

    private string NewToken(Guid sessionId, DateTimeOffset now)
    {
        var bytes = RandomNumberGenerator.GetBytes(32);
        db.RefreshTokens.Add(new RefreshToken { SessionId = sessionId, TokenHash = SHA256.HashData(bytes), CreatedAt = now });
        return Tokens.Encode(bytes);
    }

}

/// <summary>
/// Per-request revocation check: the token's security stamp must still be the user's, the user enabled and the
/// session neither revoked nor past its idle or absolute deadline (an access token dies with its session, not
/// up to its own lifetime later). Answers are cached in memory for a minute and evicted on every instance (Redis
/// backplane) the moment they change, and again once the changing request's transaction has committed.
/// </summary>
public sealed class AuthStateCache(IFusionCache cache, LookupDatabase lookups, IHttpContextAccessor requests, TimeProvider clock)
{
    // The cache's defaults (ApiCache): one minute, with short Redis timeouts.
    private readonly FusionCacheEntryOptions _entry = cache.CreateEntryOptions();

    public async ValueTask<bool> IsValidAsync(Guid userId, Guid stamp, Guid? sessionId, CancellationToken cancellationToken)
    {
        var user = await cache.GetOrSetAsync<UserAuthState?>(UserKey(userId), (_, ct) => LoadUserAsync(userId, ct), options: _entry, token: cancellationToken);
        if (user is null || user.IsDisabled || user.SecurityStamp != stamp)
        {
            return false;
        }

        if (sessionId is not { } sid)
        {
            return true;
        }

        var activeUntil = await cache.GetOrSetAsync<DateTimeOffset?>(SessionKey(sid), (_, ct) => LoadSessionDeadlineAsync(sid, ct), options: _entry, token: cancellationToken);
        return clock.GetUtcNow() < activeUntil;
    }

    /// <summary>The caller's platform flag and role per clinic, for permission checks.</summary>
    public async ValueTask<CallerAccess> GetAccessAsync(Guid userId, CancellationToken cancellationToken) =>
        await cache.GetOrSetAsync<CallerAccess>(AccessKey(userId), (_, ct) => LoadAccessAsync(userId, ct), options: _entry, token: cancellationToken);

    /// <summary>Forget what is cached about the user on every instance: stamp, disabled flag and roles.</summary>
    public async ValueTask ForgetUserAsync(Guid userId, CancellationToken cancellationToken)
    {
        await ForgetAsync(UserKey(userId), cancellationToken);
        await ForgetAsync(AccessKey(userId), cancellationToken);
    }

    public ValueTask ForgetSessionAsync(Guid sessionId, CancellationToken cancellationToken) =>
        ForgetAsync(SessionKey(sessionId), cancellationToken);

    private static string UserKey(Guid id) => $"auth:user:{id:N}";

    private static string SessionKey(Guid id) => $"auth:session-until:{id:N}";

    private static string AccessKey(Guid id) => $"auth:access:{id:N}";

    private static string ClinicMfaKey(Guid id) => $"auth:clinic-mfa:{id:N}";

    /// <summary>Whether the clinic requires its staff to use MFA.</summary>
    public async ValueTask<bool> ClinicRequiresStaffMfaAsync(Guid clinicId, CancellationToken cancellationToken) =>
        await cache.GetOrSetAsync<bool>(
            ClinicMfaKey(clinicId),
            async (_, ct) =>
            {
                await using var db = lookups.CreateContext();
                return await db.Clinics.AnyAsync(c => c.Id == clinicId && c.RequireStaffMfa, ct);
            },
            options: _entry,
            token: cancellationToken);

    /// <summary>Whether the clinic exists; asked only for platform administrators, who hold no membership that would say so.</summary>
    public async Task<bool> ClinicExistsAsync(Guid clinicId, CancellationToken cancellationToken)
    {
        await using var db = lookups.CreateContext();
        return await db.Clinics.AnyAsync(c => c.Id == clinicId, cancellationToken);
    }

    public ValueTask ForgetClinicAsync(Guid clinicId, CancellationToken cancellationToken) =>
        ForgetAsync(ClinicMfaKey(clinicId), cancellationToken);

    // Inside a request the change may not be committed yet: the entry is removed again when the answer starts.
    private ValueTask ForgetAsync(string key, CancellationToken cancellationToken) => requests.HttpContext is { } http
        ? cache.RemoveOnChangeAsync(http, key, cancellationToken)
        : cache.RemoveAsync(key, token: cancellationToken);

    private async Task<CallerAccess> LoadAccessAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var db = lookups.CreateContext();
        var user = await db.Users.Where(u => u.Id == userId && !u.IsDisabled)
            .Select(u => new { u.IsSuperAdmin, MfaEnabled = u.MfaSecret != null, Roles = u.Memberships.Select(m => new { m.ClinicId, m.Role }).ToList() })
            .SingleOrDefaultAsync(cancellationToken);
        return user is null
            ? CallerAccess.None
            : new CallerAccess(user.IsSuperAdmin, user.MfaEnabled, user.Roles.ToDictionary(r => r.ClinicId, r => r.Role));
    }

    private async Task<UserAuthState?> LoadUserAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var db = lookups.CreateContext();
        return await db.Users.Where(u => u.Id == userId)
            .Select(u => new UserAuthState(u.SecurityStamp, u.IsDisabled))
            .SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>When the session stops being active (the earlier of its two deadlines); null once revoked or gone.</summary>
    private async Task<DateTimeOffset?> LoadSessionDeadlineAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var db = lookups.CreateContext();
        var session = await db.Sessions.Where(s => s.Id == sessionId && s.RevokedAt == null)
            .Select(s => new { s.IdleExpiresAt, s.AbsoluteExpiresAt })
            .SingleOrDefaultAsync(cancellationToken);
        return session is null ? null : session.IdleExpiresAt < session.AbsoluteExpiresAt ? session.IdleExpiresAt : session.AbsoluteExpiresAt;
    }

    private sealed record UserAuthState(Guid SecurityStamp, bool IsDisabled);
}

/// <summary>A caller's platform flag and role per clinic.</summary>
public sealed record CallerAccess(bool IsSuperAdmin, bool MfaEnabled, Dictionary<Guid, string> Roles)
{
    public static readonly CallerAccess None = new(false, false, []);
}
