using System.ComponentModel.DataAnnotations;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Identity;

/// <summary>Sign-in and the caller's own profile.</summary>
public static class AuthApi
{
    public static IEndpointRouteBuilder MapAuthApi(this IEndpointRouteBuilder endpoints)
    {
        var auth = endpoints.MapGroup("/api/v1/auth").WithTags("Authentication");
        auth.MapPost("/login", Login)
            .AllowAnonymous()
            .WithName("Login")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithSummary("Exchange an e-mail address and password for an access token.");

        endpoints.MapGet("/.well-known/jwks.json", (SigningKeys keys) => TypedResults.Ok(keys.ToJwks()))
            .AllowAnonymous()
            .WithTags("Authentication")
            .WithName("GetJwks")
            .WithSummary("Public keys that verify this API's access tokens (JSON Web Key Set).");

        endpoints.MapGet("/api/v1/me", GetMe)
            .RequireAuthorization()
            .WithTags("Authentication")
            .WithName("GetMe")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithSummary("The signed-in user and their clinic roles.");
        return endpoints;
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> Login(
        LoginRequest request, HealthcareDbContext db, AccessTokens tokens, Auditor audit, CancellationToken cancellationToken)
    {
        var email = User.NormalizeEmail(request.Email);
        var user = await db.Users.SingleOrDefaultAsync(u => u.Email == email, cancellationToken);
        var check = PasswordHashing.Verify(user?.PasswordHash, request.Password);
        if (user is null || check == PasswordCheck.Failed || user.IsDisabled)
        {
            // The attempted e-mail is not recorded: it may belong to nobody, or be a password typed in the wrong box.
            await audit.WriteAsync(AuditActions.FailedLogin, "Session", AuditOutcomes.Denied, cancellationToken, userId: user?.Id);
            // One answer for unknown e-mail, wrong password and disabled account: no account enumeration.
            return TypedResults.Problem(
                title: "Invalid e-mail address or password.",
                statusCode: StatusCodes.Status401Unauthorized);
        }

        if (check == PasswordCheck.SuccessRehashNeeded)
        {
            user.PasswordHash = PasswordHashing.Hash(request.Password);
            await db.SaveChangesAsync(cancellationToken);
        }

        await audit.WriteAsync(AuditActions.Login, "Session", AuditOutcomes.Success, cancellationToken, userId: user.Id);
        var (token, expiresIn) = tokens.Issue(user.Id, user.SecurityStamp);
        return TypedResults.Ok(new TokenResponse(token, "Bearer", expiresIn));
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
}

public sealed record LoginRequest(
    [property: Required, EmailAddress, MaxLength(254)] string Email,
    [property: Required, MaxLength(1024)] string Password);

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn);

public sealed record MeResponse(Guid Id, string Email, string DisplayName, bool IsSuperAdmin, IReadOnlyList<MembershipDto> Memberships);

public sealed record MembershipDto(Guid ClinicId, string ClinicName, string Role);
