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

/// <summary>TOTP multi-factor authentication: enrol, confirm, disable, new recovery codes.</summary>
public static class MfaApi
{
    private const string MfaResource = "Mfa";

    public static IEndpointRouteBuilder MapMfaApi(this IEndpointRouteBuilder endpoints)
    {
        var mfa = endpoints.MapGroup("/api/v1/auth/mfa").WithTags("Multi-factor authentication").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        mfa.MapPost("/enrol", Enrol)
            .WithName("EnrolMfa")
            .WithSummary("Start enrolment: a new TOTP secret and its otpauth:// URI for an authenticator app.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        mfa.MapPost("/confirm", Confirm)
            .WithName("ConfirmMfa")
            .WithSummary("Finish enrolment with a current code; answers the recovery codes once and ends every session.")
            .ProducesValidationProblem();
        mfa.MapPost("/disable", Disable)
            .WithName("DisableMfa")
            .WithSummary("Turn MFA off with the password and a current code or a recovery code.")
            .ProducesValidationProblem();
        mfa.MapPost("/recovery-codes", RegenerateRecoveryCodes)
            .WithName("RegenerateRecoveryCodes")
            .WithSummary("Replace the recovery codes, proven with a current code.")
            .ProducesValidationProblem();
        return endpoints;
    }

    private static async Task<Results<Ok<MfaEnrolmentDto>, ProblemHttpResult>> Enrol(
        CurrentUser caller, HealthcareDbContext db, FieldEncryption encryption, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleAsync(u => u.Id == caller.Id, cancellationToken);
        if (user.MfaEnabled)
        {
            return TypedResults.Problem(title: "MFA is already on. Disable it first to enrol a new device.", statusCode: StatusCodes.Status409Conflict);
        }

        // Stored encrypted, like other secrets at rest: a database leak must not hand out second factors.
        var secret = Mfa.NewSecret();
        user.MfaPendingSecret = encryption.SealBytes(secret);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new MfaEnrolmentDto(Mfa.Base32(secret), Mfa.OtpAuthUri(secret, user.Email)));
    }

    private static async Task<Results<Ok<RecoveryCodesDto>, ValidationProblem>> Confirm(
        MfaCodeRequest request, CurrentUser caller, HealthcareDbContext db, FieldEncryption encryption, Sessions sessions, TimeProvider clock,
        Auditor audit, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleAsync(u => u.Id == caller.Id, cancellationToken);
        if (user.MfaPendingSecret is null)
        {
            return Problems.Field("code", "Start enrolment first.");
        }

        if (Mfa.VerifyTotp(encryption.OpenBytes(user.MfaPendingSecret), request.Code, clock.GetUtcNow(), user.MfaLastStep) is not { } step)
        {
            return Problems.Field("code", "The code is not valid. Check the device's clock and try the next code.");
        }

        user.MfaSecret = user.MfaPendingSecret;
        user.MfaPendingSecret = null;
        user.MfaLastStep = step;
        var codes = ReplaceRecoveryCodes(db, user.Id);
        await db.SaveChangesAsync(cancellationToken);
        // Sessions that began without a second factor end now.
        await sessions.RevokeAllAsync(user.Id, SessionRevocations.MfaChanged, cancellationToken);
        await audit.WriteAsync(AuditActions.MfaEnabled, MfaResource, AuditOutcomes.Success, cancellationToken);
        return TypedResults.Ok(new RecoveryCodesDto(codes));
    }

    private static async Task<Results<NoContent, ValidationProblem>> Disable(
        DisableMfaRequest request, CurrentUser caller, HealthcareDbContext db, FieldEncryption encryption, Sessions sessions,
        TimeProvider clock, Auditor audit, CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleAsync(u => u.Id == caller.Id, cancellationToken);
        if (PasswordHashing.Verify(user.PasswordHash, request.Password) == PasswordCheck.Failed)
        {
            await audit.WriteAsync(AuditActions.MfaDisabled, MfaResource, AuditOutcomes.Denied, cancellationToken);
            return Problems.Field("password", "The password is not correct.");
        }

        if (!user.MfaEnabled || !await SecondFactorAsync(db, encryption, user, request.Code, clock.GetUtcNow(), cancellationToken))
        {
            await audit.WriteAsync(AuditActions.MfaDisabled, MfaResource, AuditOutcomes.Denied, cancellationToken);
            return Problems.Field("code", "The code is not valid.");
        }

        user.MfaSecret = null;
        user.MfaPendingSecret = null;
        await db.MfaRecoveryCodes.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await sessions.RevokeAllAsync(user.Id, SessionRevocations.MfaChanged, cancellationToken);
        await audit.WriteAsync(AuditActions.MfaDisabled, MfaResource, AuditOutcomes.Success, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<RecoveryCodesDto>, ValidationProblem>> RegenerateRecoveryCodes(
        MfaCodeRequest request, CurrentUser caller, HealthcareDbContext db, FieldEncryption encryption, TimeProvider clock, Auditor audit,
        CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleAsync(u => u.Id == caller.Id, cancellationToken);
        if (user.MfaSecret is null || Mfa.VerifyTotp(encryption.OpenBytes(user.MfaSecret), request.Code, clock.GetUtcNow(), user.MfaLastStep) is not { } step)
        {
            await audit.WriteAsync(AuditActions.Update, MfaResource, AuditOutcomes.Denied, cancellationToken);
            return Problems.Field("code", "The code is not valid.");
        }

        user.MfaLastStep = step;
        await db.MfaRecoveryCodes.Where(c => c.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
        var codes = ReplaceRecoveryCodes(db, user.Id);
        await db.SaveChangesAsync(cancellationToken);
        await audit.WriteAsync(AuditActions.Update, MfaResource, AuditOutcomes.Success, cancellationToken);
        return TypedResults.Ok(new RecoveryCodesDto(codes));
    }

    /// <summary>
    /// Accepts a current TOTP code (each time step once) or an unused recovery code (once), claiming it with a
    /// conditional update so that two concurrent sign-ins cannot both use it.
    /// </summary>
    public static async Task<bool> SecondFactorAsync(
        HealthcareDbContext db, FieldEncryption encryption, User user, string? code, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (user.MfaSecret is null || string.IsNullOrWhiteSpace(code))
        {
            return false;
        }

        if (Mfa.VerifyTotp(encryption.OpenBytes(user.MfaSecret), code, now, user.MfaLastStep) is { } step)
        {
            var claimed = await db.Users.Where(u => u.Id == user.Id && u.MfaLastStep < step)
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.MfaLastStep, step), cancellationToken);
            user.MfaLastStep = step;
            db.Entry(user).Property(u => u.MfaLastStep).IsModified = false;
            return claimed == 1;
        }

        var hash = Mfa.HashRecoveryCode(code);
        var used = await db.MfaRecoveryCodes.Where(c => c.UserId == user.Id && c.CodeHash == hash && c.UsedAt == null)
            .ExecuteUpdateAsync(c => c.SetProperty(x => x.UsedAt, now), cancellationToken);
        return used == 1;
    }

    private static List<string> ReplaceRecoveryCodes(HealthcareDbContext db, Guid userId)
    {
        var codes = Mfa.NewRecoveryCodes();
        db.MfaRecoveryCodes.AddRange(codes.Select(c => new MfaRecoveryCode { UserId = userId, CodeHash = Mfa.HashRecoveryCode(c) }));
        return codes;
    }

}

public sealed record MfaEnrolmentDto(string Secret, string OtpAuthUri);

public sealed record RecoveryCodesDto(IReadOnlyList<string> RecoveryCodes);

public sealed record MfaCodeRequest([property: Required, MaxLength(20)] string Code);

public sealed record DisableMfaRequest(
    [property: Required, MaxLength(PasswordPolicy.MaximumLength)] string Password,
    [property: Required, MaxLength(20)] string Code);
