using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Identity;

/// <summary>Self-registration and the password life cycle: change, forgotten, reset.</summary>
public static class AccountApi
{
    private const string UserResource = "User";
    private static readonly TimeSpan ResetLifetime = TimeSpan.FromMinutes(30);

    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder endpoints)
    {
        var anonymous = endpoints.MapGroup("/api/v1/auth").WithTags("Account").AllowAnonymous().WithAuthRateLimit();
        anonymous.MapPost("/register", Register)
            .WithName("Register")
            .WithSummary("Create a patient account. The answer is the same whether or not the address was already registered.")
            .ProducesValidationProblem();
        anonymous.MapPost("/forgot-password", ForgotPassword)
            .WithName("ForgotPassword")
            .WithSummary("E-mail a single-use reset link, if the address belongs to an account. Always answers 202.")
            .ProducesValidationProblem();
        anonymous.MapPost("/reset-password", ResetPassword)
            .WithName("ResetPassword")
            .WithSummary("Set a new password with a reset token; every session of the account ends.")
            .ProducesValidationProblem();

        endpoints.MapGroup("/api/v1/auth").WithTags("Account").RequireAuthorization()
            .MapPost("/change-password", ChangePassword)
            .WithName("ChangePassword")
            .WithSummary("Change the signed-in user's password; every session and access token of the account ends.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return endpoints;
    }

    private static async Task<Results<Accepted<AcceptedResponse>, ValidationProblem>> Register(
        RegisterRequest request, HealthcareDbContext db, TimeProvider clock, Auditor audit, CancellationToken cancellationToken)
    {
        var email = User.NormalizeEmail(request.Email);
        if (PasswordPolicy.Check(request.Password, email, request.DisplayName) is { } weak)
        {
            return Problems.Field("password", weak);
        }

        // Hash first, so that both answers below cost the same time.
        var hash = PasswordHashing.Hash(request.Password);
        var existing = await db.Users.AnyAsync(u => u.Email == email, cancellationToken);
        if (existing)
        {
            // Tell the owner, not the caller: the answer must not reveal that the address has an account.
            db.OutboxMessages.Add(OutboxMessage.Create(OutboxKinds.RegistrationAttemptEmail, new { to = email }));
            await db.SaveChangesAsync(cancellationToken);
            return TypedResults.Accepted((string?)null, AcceptedResponse.Registration);
        }

        // Usable once the owner of the address opens the link sent to it.
        var user = new User { Email = email, DisplayName = request.DisplayName.Trim(), PasswordHash = hash };
        db.Users.Add(user);
        EmailApi.SendConfirmation(db, user, email, clock.GetUtcNow());
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Registered concurrently by another request: same answer.
            return TypedResults.Accepted((string?)null, AcceptedResponse.Registration);
        }

        audit.ResourceId = user.Id.ToString();
        await audit.WriteAsync(AuditActions.Create, UserResource, AuditOutcomes.Success, cancellationToken, userId: user.Id);
        return TypedResults.Accepted((string?)null, AcceptedResponse.Registration);
    }

    private static async Task<Accepted<AcceptedResponse>> ForgotPassword(
        ForgotPasswordRequest request, HealthcareDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var email = User.NormalizeEmail(request.Email);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email && !u.IsDisabled, cancellationToken);
        if (user is not null)
        {
            var now = clock.GetUtcNow();
            var token = RandomNumberGenerator.GetBytes(32);
            db.PasswordResets.Add(new PasswordReset
            {
                UserId = user.Id,
                TokenHash = SHA256.HashData(token),
                CreatedAt = now,
                ExpiresAt = now + ResetLifetime,
            });
            // The token travels only in the e-mail; the database keeps its hash.
            db.OutboxMessages.Add(OutboxMessage.Create(OutboxKinds.PasswordResetEmail, new
            {
                to = user.Email,
                name = user.DisplayName,
                token = Tokens.Encode(token),
                expiresAt = now + ResetLifetime,
            }));
            await db.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.Accepted((string?)null, AcceptedResponse.PasswordReset);
    }

    private static async Task<Results<NoContent, ValidationProblem>> ResetPassword(
        ResetPasswordRequest request, HealthcareDbContext db, Sessions sessions, TimeProvider clock, Auditor audit,
        LoginThrottle throttle, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var hash = Tokens.Decode(request.Token) is { } raw ? SHA256.HashData(raw) : [];
        var reset = await db.PasswordResets.SingleOrDefaultAsync(r => r.TokenHash == hash, cancellationToken);
        var user = reset is null ? null : await db.Users.SingleOrDefaultAsync(u => u.Id == reset.UserId && !u.IsDisabled, cancellationToken);
        if (reset is null || user is null || reset.UsedAt is not null || reset.ExpiresAt <= now)
        {
            // A guessed, stolen-and-used or stale link: recorded, for the account it names if any.
            await audit.WriteAsync(AuditActions.PasswordReset, UserResource, AuditOutcomes.Denied, cancellationToken, userId: reset?.UserId);
            return Problems.Field("token", "The reset link is invalid, used or expired. Ask for a new one.");
        }

        if (PasswordPolicy.Check(request.NewPassword, user.Email, user.DisplayName) is { } weak)
        {
            return Problems.Field("newPassword", weak);
        }

        // Claim the token atomically, so that two concurrent resets cannot both use it.
        var claimed = await db.PasswordResets.Where(r => r.Id == reset.Id && r.UsedAt == null)
            .ExecuteUpdateAsync(r => r.SetProperty(x => x.UsedAt, now), cancellationToken);
        if (claimed == 0)
        {
            return Problems.Field("token", "The reset link is invalid, used or expired. Ask for a new one.");
        }

        // The link went to the address, so using it proves the address too.
        user.EmailVerifiedAt ??= now;
        await SetPasswordAsync(db, sessions, user, request.NewPassword, SessionRevocations.PasswordChanged, cancellationToken);
        await throttle.ClearAccountAsync(user.Email);
        audit.ResourceId = user.Id.ToString();
        await audit.WriteAsync(AuditActions.PasswordReset, UserResource, AuditOutcomes.Success, cancellationToken, userId: user.Id);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ValidationProblem>> ChangePassword(
        ChangePasswordRequest request, CurrentUser caller, HealthcareDbContext db, Sessions sessions, Auditor audit,
        CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleAsync(u => u.Id == caller.Id, cancellationToken);
        if (PasswordHashing.Verify(user.PasswordHash, request.CurrentPassword) == PasswordCheck.Failed)
        {
            await audit.WriteAsync(AuditActions.PasswordChange, UserResource, AuditOutcomes.Denied, cancellationToken);
            return Problems.Field("currentPassword", "The current password is not correct.");
        }

        if (PasswordPolicy.Check(request.NewPassword, user.Email, user.DisplayName) is { } weak)
        {
            return Problems.Field("newPassword", weak);
        }

        await SetPasswordAsync(db, sessions, user, request.NewPassword, SessionRevocations.PasswordChanged, cancellationToken);
        audit.ResourceId = user.Id.ToString();
        await audit.WriteAsync(AuditActions.PasswordChange, UserResource, AuditOutcomes.Success, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task SetPasswordAsync(
        HealthcareDbContext db, Sessions sessions, User user, string password, string reason, CancellationToken cancellationToken)
    {
        user.PasswordHash = PasswordHashing.Hash(password);
        db.OutboxMessages.Add(OutboxMessage.Create(OutboxKinds.PasswordChangedEmail, new { to = user.Email, name = user.DisplayName }));
        await db.SaveChangesAsync(cancellationToken);
        await sessions.RevokeAllAsync(user.Id, reason, cancellationToken);
    }

}

public sealed record RegisterRequest(
    [property: Required, EmailAddress, MaxLength(254)] string Email,
    [property: Required, MaxLength(PasswordPolicy.MaximumLength)] string Password,
    [property: Required, MinLength(1), MaxLength(200)] string DisplayName);

public sealed record ForgotPasswordRequest([property: Required, EmailAddress, MaxLength(254)] string Email);

public sealed record ResetPasswordRequest(
    [property: Required, MaxLength(100)] string Token,
    [property: Required, MaxLength(PasswordPolicy.MaximumLength)] string NewPassword);

public sealed record ChangePasswordRequest(
    [property: Required, MaxLength(PasswordPolicy.MaximumLength)] string CurrentPassword,
    [property: Required, MaxLength(PasswordPolicy.MaximumLength)] string NewPassword);

/// <summary>The one answer that does not say whether an account exists.</summary>
public sealed record AcceptedResponse(string Status)
{
    public static readonly AcceptedResponse Registration = new("If the address can be registered, a confirmation link is on its way to it: open it, then sign in.");
    public static readonly AcceptedResponse Confirmation = new("If the address can be confirmed, a confirmation link is on its way to it.");
    public static readonly AcceptedResponse PasswordReset = new("If the address belongs to an account, a reset link is on its way.");
}
