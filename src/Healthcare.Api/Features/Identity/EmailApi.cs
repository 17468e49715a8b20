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

/// <summary>
/// Proof of e-mail ownership: an account signs in only once its address is confirmed, and moves to another address
/// only once that one is confirmed too. Every answer is the same whether or not an address has an account.
/// </summary>
public static class EmailApi
{
    private const string UserResource = "User";
    private const string InvalidLink = "The confirmation link is invalid, used or expired. Ask for a new one.";

    public static IEndpointRouteBuilder MapEmailApi(this IEndpointRouteBuilder endpoints)
    {
        var anonymous = endpoints.MapGroup("/api/v1/auth").WithTags("Account").AllowAnonymous().WithAuthRateLimit();
        anonymous.MapPost("/verify-email", Verify)
            .WithName("VerifyEmail")
            .WithSummary("Confirm an address with the single-use link sent to it (valid 24 hours): a new account can then sign in, a changed address takes effect.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);
        anonymous.MapPost("/resend-verification", Resend)
            .WithName("ResendEmailVerification")
            .WithSummary("Send a new confirmation link to an address whose account is not confirmed yet. Always answers 202.")
            .ProducesValidationProblem();

        endpoints.MapPost("/api/v1/auth/change-email", Change)
            .RequireAuthorization()
            .WithAuthRateLimit()
            .WithTags("Account")
            .WithName("ChangeEmail")
            .WithSummary("Move the account to another address: the change takes effect once the link sent to the new address is opened.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return endpoints;
    }

    /// <summary>Adds a confirmation for <paramref name="email"/> and its e-mail; the caller saves.</summary>
    public static void SendConfirmation(HealthcareDbContext db, User user, string email, DateTimeOffset now)
    {
        var token = RandomNumberGenerator.GetBytes(32);
        db.EmailVerifications.Add(new EmailVerification
        {
            UserId = user.Id,
            Email = email,
            TokenHash = SHA256.HashData(token),
            CreatedAt = now,
            ExpiresAt = now + EmailVerification.Lifetime,
        });
        // The token travels only in the e-mail; the database keeps its hash.
        db.OutboxMessages.Add(OutboxMessage.Create(OutboxKinds.VerifyEmail, new { to = email, name = user.DisplayName, token = Tokens.Encode(token) }));
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Verify(
        VerifyEmailRequest request, HealthcareDbContext db, Sessions sessions, TimeProvider clock, Auditor audit, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var hash = Tokens.Decode(request.Token) is { } raw ? SHA256.HashData(raw) : [];
        var verification = await db.EmailVerifications.SingleOrDefaultAsync(v => v.TokenHash == hash, cancellationToken);
        var user = verification is null ? null : await db.Users.SingleOrDefaultAsync(u => u.Id == verification.UserId && !u.IsDisabled, cancellationToken);
        if (verification is null || user is null || verification.UsedAt is not null || verification.ExpiresAt <= now)
        {
            return Problems.Field("token", InvalidLink);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Claimed atomically, so that two requests cannot both use one link.
        var claimed = await db.EmailVerifications.Where(v => v.Id == verification.Id && v.UsedAt == null)
            .ExecuteUpdateAsync(v => v.SetProperty(x => x.UsedAt, now), cancellationToken);
        if (claimed == 0)
        {
            return Problems.Field("token", InvalidLink);
        }

        audit.ResourceId = user.Id.ToString();
        var changing = verification.Email != user.Email;
        if (changing)
        {
            db.OutboxMessages.Add(OutboxMessage.Create(OutboxKinds.EmailChangedEmail, new { to = user.Email, name = user.DisplayName }));
            user.Email = verification.Email;
        }

        user.EmailVerifiedAt = now;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return TypedResults.Problem(
                title: "The address now belongs to another account.",
                detail: "Choose another address.",
                statusCode: StatusCodes.Status409Conflict);
        }

        await audit.WriteAsync(changing ? AuditActions.EmailChange : AuditActions.EmailVerified, UserResource, AuditOutcomes.Success, cancellationToken, userId: user.Id);
        await transaction.CommitAsync(cancellationToken);
        if (changing)
        {
            // The sign-in name changed: every session starts again with it.
            await sessions.RevokeAllAsync(user.Id, SessionRevocations.EmailChanged, cancellationToken);
        }

        return TypedResults.NoContent();
    }

    private static async Task<Accepted<AcceptedResponse>> Resend(
        ResendVerificationRequest request, HealthcareDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var email = User.NormalizeEmail(request.Email);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email && !u.IsDisabled && u.EmailVerifiedAt == null, cancellationToken);
        if (user is not null)
        {
            SendConfirmation(db, user, user.Email, clock.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.Accepted((string?)null, AcceptedResponse.Confirmation);
    }

    private static async Task<Results<Accepted<AcceptedResponse>, ValidationProblem>> Change(
        ChangeEmailRequest request, CurrentUser caller, HealthcareDbContext db, TimeProvider clock, Auditor audit,
        CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleAsync(u => u.Id == caller.Id, cancellationToken);
        audit.ResourceId = user.Id.ToString();
        if (PasswordHashing.Verify(user.PasswordHash, request.Password) == PasswordCheck.Failed)
        {
            await audit.WriteAsync(AuditActions.EmailChange, UserResource, AuditOutcomes.Denied, cancellationToken);
            return Problems.Field("password", "The password is not correct.");
        }

        var email = User.NormalizeEmail(request.NewEmail);
        if (email == user.Email)
        {
            return Problems.Field("newEmail", "This is already the account's address.");
        }

        // An address that has an account gets nothing; the answer is the same, so it tells nothing either.
        if (!await db.Users.AnyAsync(u => u.Email == email, cancellationToken))
        {
            SendConfirmation(db, user, email, clock.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
        }

        return TypedResults.Accepted((string?)null, AcceptedResponse.Confirmation);
    }
}

public sealed record VerifyEmailRequest([property: Required, MaxLength(100)] string Token);

public sealed record ResendVerificationRequest([property: Required, EmailAddress, MaxLength(254)] string Email);

public sealed record ChangeEmailRequest(
    [property: Required, EmailAddress, MaxLength(254)] string NewEmail,
    [property: Required, MaxLength(PasswordPolicy.MaximumLength)] string Password);
