using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using Healthcare.Api.Features.Identity;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.Api.Features.Clinics;

/// <summary>A clinic's members: who has which role, invitations, role changes, removal and disabling.</summary>
public static class MembersApi
{
    private const string MembershipResource = "Membership";
    private static readonly TimeSpan InvitationLifetime = TimeSpan.FromDays(7);

    public static IEndpointRouteBuilder MapMembersApi(this IEndpointRouteBuilder endpoints)
    {
        var clinic = endpoints.MapGroup("/api/v1/clinics/{clinicId:guid}").WithTags("Clinic members");

        clinic.MapGet("/members", List)
            .RequirePermission(Permissions.MembersRead)
            .WithName("ListMembers")
            .WithSummary("Members of the clinic and their roles.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        var manage = clinic.MapGroup("").RequirePermission(Permissions.MembersManage)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        manage.MapPost("/invitations", Invite)
            .WithName("InviteMember")
            .WithSummary("Invite a staff member by e-mail; the single-use link expires after 7 days.")
            .ProducesValidationProblem();
        manage.MapPut("/members/{userId:guid}/role", ChangeRole)
            .WithName("ChangeMemberRole")
            .WithSummary("Give a member another role, at most one's own; their access tokens stop working at once.")
            .ProducesValidationProblem();
        manage.MapDelete("/members/{userId:guid}", Remove)
            .WithName("RemoveMember")
            .WithSummary("Take away a member's role in the clinic.");
        manage.MapPost("/members/{userId:guid}/disable", Disable)
            .WithName("DisableMember")
            .WithSummary("Disable a member's account and end all of its sessions at once.")
            .ProducesProblem(StatusCodes.Status409Conflict);
        manage.MapPost("/members/{userId:guid}/enable", Enable)
            .WithName("EnableMember")
            .WithSummary("Enable a disabled member's account again (not one's own, nor one a platform administrator disabled).");

        endpoints.MapPost("/api/v1/auth/accept-invitation", Accept)
            .AllowAnonymous()
            .WithAuthRateLimit()
            .WithTags("Account")
            .WithName("AcceptInvitation")
            .WithSummary("Join a clinic with an invitation: prove the invited address's account as at sign-in (password, then mfaCode if it has a second factor), or create the account.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return endpoints;
    }

    private static async Task<Ok<List<MemberDto>>> List(Guid clinicId, HealthcareDbContext db, CancellationToken cancellationToken)
    {
        var members = await db.ClinicMemberships
            .Where(m => m.ClinicId == clinicId)
            .OrderBy(m => m.User!.DisplayName)
            .Select(m => new MemberDto(m.UserId, m.User!.DisplayName, m.User.Email, m.Role, m.User.IsDisabled))
            .AsNoTracking()
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(members);
    }

    private static async Task<Results<Accepted<InvitationDto>, ValidationProblem, ProblemHttpResult>> Invite(
        Guid clinicId, InviteRequest request, CurrentUser caller, HealthcareDbContext db, AuthStateCache access, TimeProvider clock,
        Auditor audit, CancellationToken cancellationToken)
    {
        if (!ClinicRoles.Staff.Contains(request.Role))
        {
            return Problems.Field("role", $"Invite one of: {string.Join(", ", ClinicRoles.Staff)}. Patients register themselves.");
        }

        var email = User.NormalizeEmail(request.Email);
        if (await ControlledByCallerAsync(db, caller.Id, email, cancellationToken))
        {
            return await RefuseAsync(audit, AuditActions.Create, "Invitation", "You cannot invite yourself.",
                "An invitation to your own address, or to a sub-address of it, would give your own account another role.", cancellationToken);
        }

        if (await AboveCallerAsync(access, caller.Id, clinicId, request.Role, cancellationToken))
        {
            return await RefuseAsync(audit, AuditActions.Create, "Invitation", "You cannot give a role above your own.",
                "Ask a member whose role is at least the one you want to give.", cancellationToken);
        }

        var now = clock.GetUtcNow();
        var token = RandomNumberGenerator.GetBytes(32);
        var invitation = new Invitation
        {
            ClinicId = clinicId,
            Email = email,
            Role = request.Role,
            TokenHash = SHA256.HashData(token),
            InvitedBy = caller.Id,
            CreatedAt = now,
            ExpiresAt = now + InvitationLifetime,
        };
        db.Invitations.Add(invitation);
        var clinicName = await db.Clinics.Where(c => c.Id == clinicId).Select(c => c.Name).SingleAsync(cancellationToken);
        db.OutboxMessages.Add(OutboxMessage.Create(OutboxKinds.InvitationEmail, new
        {
            to = invitation.Email,
            clinic = clinicName,
            role = invitation.Role,
            token = Tokens.Encode(token),
            expiresAt = invitation.ExpiresAt,
        }));
        await db.SaveChangesAsync(cancellationToken);
        audit.ResourceId = invitation.Id.ToString();
        await audit.WriteAsync(AuditActions.Create, "Invitation", AuditOutcomes.Success, cancellationToken);
        return TypedResults.Accepted((string?)null, new InvitationDto(invitation.Id, invitation.Email, invitation.Role, invitation.ExpiresAt));
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> Accept(
        AcceptInvitationRequest request, HttpContext http, HealthcareDbContext db, Credentials credentials, AuthStateCache access,
        TimeProvider clock, Auditor audit, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var hash = Tokens.Decode(request.Token) is { } raw ? SHA256.HashData(raw) : [];
        var invitation = await db.Invitations.SingleOrDefaultAsync(i => i.TokenHash == hash, cancellationToken);
        if (invitation is null || invitation.AcceptedAt is not null || invitation.ExpiresAt <= now)
        {
            return Problems.Field("token", "The invitation is invalid, used or expired. Ask the clinic for a new one.");
        }

        var user = await db.Users.Include(u => u.Memberships).SingleOrDefaultAsync(u => u.Email == invitation.Email, cancellationToken);
        if (user?.Id == invitation.InvitedBy)
        {
            // The inviter moved their own account to the invited address: an invitation never serves its author.
            audit.ClinicId = invitation.ClinicId;
            return await RefuseAsync(audit, AuditActions.Create, MembershipResource, "You cannot accept an invitation you sent.",
                "Ask another administrator of the clinic to invite you.", cancellationToken);
        }

        if (user is null)
        {
            if (string.IsNullOrWhiteSpace(request.DisplayName))
            {
                return Problems.Field("displayName", "Give your name to create the account.");
            }

            if (PasswordPolicy.Check(request.Password, invitation.Email, request.DisplayName) is { } weak)
            {
                return Problems.Field("password", weak);
            }

            // The invitation was sent to the address: holding it proves the address.
            user = new User
            {
                Email = invitation.Email,
                DisplayName = request.DisplayName.Trim(),
                PasswordHash = PasswordHashing.Hash(request.Password),
                EmailVerifiedAt = now,
            };
            db.Users.Add(user);
        }
        else if (await credentials.CheckAsync(
                invitation.Email, request.Password, request.MfaCode, http.Connection.RemoteIpAddress?.ToString(), cancellationToken, addressProven: true)
            is { Status: not SignInStatus.Success } check)
        {
            // The invited address has an account: only its owner may accept, proven as at sign-in (same throttle,
            // same second factor, same audit trail of failures).
            return Credentials.Refusal(check, http) is { } refusal
                ? refusal
                : Problems.Field("password", "Enter the password of the account with the invited address.");
        }
        else if (user.Memberships.Any(m => m.ClinicId == invitation.ClinicId))
        {
            return TypedResults.Problem(title: "You are already a member of this clinic.", statusCode: StatusCodes.Status409Conflict);
        }

        var claimed = await db.Invitations.Where(i => i.Id == invitation.Id && i.AcceptedAt == null)
            .ExecuteUpdateAsync(i => i.SetProperty(x => x.AcceptedAt, now), cancellationToken);
        if (claimed == 0)
        {
            return Problems.Field("token", "The invitation is invalid, used or expired. Ask the clinic for a new one.");
        }

        // Added explicitly: a client-generated key would make EF take a membership found only through the
        // navigation for an existing row.
        db.ClinicMemberships.Add(new ClinicMembership { ClinicId = invitation.ClinicId, UserId = user.Id, Role = invitation.Role });
        await db.SaveChangesAsync(cancellationToken);
        // An account already signed in works in the new clinic at once, on every instance.
        await access.ForgetUserAsync(user.Id, cancellationToken);
        audit.ClinicId = invitation.ClinicId;
        audit.ResourceId = user.Id.ToString();
        await audit.WriteAsync(AuditActions.Create, MembershipResource, AuditOutcomes.Success, cancellationToken, userId: user.Id);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem, ProblemHttpResult>> ChangeRole(
        Guid clinicId, Guid userId, ChangeRoleRequest request, CurrentUser caller, HealthcareDbContext db, Sessions sessions,
        AuthStateCache access, Auditor audit, CancellationToken cancellationToken)
    {
        if (!ClinicRoles.All.Contains(request.Role))
        {
            return Problems.Field("role", $"Use one of: {string.Join(", ", ClinicRoles.All)}.");
        }

        audit.ResourceId = userId.ToString();
        if (userId == caller.Id)
        {
            return await RefuseAsync(audit, AuditActions.Update, MembershipResource, "You cannot change your own role.",
                "Ask another administrator of the clinic.", cancellationToken);
        }

        var membership = await db.ClinicMemberships.Include(m => m.User).SingleOrDefaultAsync(m => m.ClinicId == clinicId && m.UserId == userId, cancellationToken);
        if (membership is null)
        {
            return TypedResults.NotFound();
        }

        if (await ControlledByCallerAsync(db, caller.Id, membership.User!.Email, cancellationToken))
        {
            return await RefuseAsync(audit, AuditActions.Update, MembershipResource, "You cannot change the role of an account at your own address.",
                "An account at your address, or at a sub-address of it, counts as your own.", cancellationToken);
        }

        if (await AboveCallerAsync(access, caller.Id, clinicId, request.Role, cancellationToken) ||
            await AboveCallerAsync(access, caller.Id, clinicId, membership.Role, cancellationToken))
        {
            return await RefuseAsync(audit, AuditActions.Update, MembershipResource, "You cannot give or take a role above your own.",
                "Ask a member whose role is at least as high.", cancellationToken);
        }

        membership.Role = request.Role;
        await db.SaveChangesAsync(cancellationToken);
        await sessions.ChangeStampAsync(userId, cancellationToken);
        await audit.WriteAsync(AuditActions.Update, MembershipResource, AuditOutcomes.Success, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> Remove(
        Guid clinicId, Guid userId, CurrentUser caller, HealthcareDbContext db, Sessions sessions, Auditor audit,
        CancellationToken cancellationToken)
    {
        audit.ResourceId = userId.ToString();
        if (userId == caller.Id)
        {
            return await RefuseAsync(audit, AuditActions.Delete, MembershipResource, "You cannot remove yourself from the clinic.",
                "Ask another administrator of the clinic.", cancellationToken, selfGrant: false);
        }

        var removed = await db.ClinicMemberships.Where(m => m.ClinicId == clinicId && m.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        if (removed == 0)
        {
            return TypedResults.NotFound();
        }

        await sessions.ChangeStampAsync(userId, cancellationToken);
        await audit.WriteAsync(AuditActions.Delete, MembershipResource, AuditOutcomes.Success, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> Disable(
        Guid clinicId, Guid userId, CurrentUser caller, HealthcareDbContext db, Sessions sessions, AuthStateCache access,
        Auditor audit, CancellationToken cancellationToken)
    {
        audit.ResourceId = userId.ToString();
        if (userId == caller.Id)
        {
            return await RefuseAsync(audit, AuditActions.Disable, "User", "You cannot disable your own account.",
                "Ask another administrator of the clinic.", cancellationToken, selfGrant: false);
        }

        var user = await db.Users.Include(u => u.Memberships).SingleOrDefaultAsync(
            u => u.Id == userId && u.Memberships.Any(m => m.ClinicId == clinicId), cancellationToken);
        if (user is null)
        {
            return TypedResults.NotFound();
        }

        var callerAccess = await access.GetAccessAsync(caller.Id, cancellationToken);
        if (!callerAccess.IsSuperAdmin && (user.IsSuperAdmin || user.Memberships.Any(m => m.ClinicId != clinicId)))
        {
            // The account is not this clinic's alone: disabling it would lock the person out elsewhere too.
            return TypedResults.Problem(
                title: "The account belongs to other clinics too.",
                detail: "Remove the member from this clinic instead, or ask a platform administrator.",
                statusCode: StatusCodes.Status409Conflict);
        }

        user.IsDisabled = true;
        user.DisabledBy = caller.Id;
        await db.SaveChangesAsync(cancellationToken);
        await sessions.RevokeAllAsync(userId, SessionRevocations.AccountDisabled, cancellationToken);
        await audit.WriteAsync(AuditActions.Disable, "User", AuditOutcomes.Success, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> Enable(
        Guid clinicId, Guid userId, CurrentUser caller, HealthcareDbContext db, AuthStateCache access, Auditor audit,
        CancellationToken cancellationToken)
    {
        audit.ResourceId = userId.ToString();
        if (userId == caller.Id)
        {
            return await RefuseAsync(audit, AuditActions.Enable, "User", "You cannot enable your own account.",
                "Ask another administrator of the clinic.", cancellationToken);
        }

        var user = await db.Users.Include(u => u.Memberships).SingleOrDefaultAsync(
            u => u.Id == userId && u.Memberships.Any(m => m.ClinicId == clinicId), cancellationToken);
        if (user is null)
        {
            return TypedResults.NotFound();
        }

        var callerAccess = await access.GetAccessAsync(caller.Id, cancellationToken);
        if (await ControlledByCallerAsync(db, caller.Id, user.Email, cancellationToken))
        {
            return await RefuseAsync(audit, AuditActions.Enable, "User", "You cannot enable an account at your own address.",
                "An account at your address, or at a sub-address of it, counts as your own.", cancellationToken);
        }

        if (!callerAccess.IsSuperAdmin &&
            (user.IsSuperAdmin || user.Memberships.Any(m => m.ClinicId != clinicId) ||
                await db.Users.AnyAsync(u => u.Id == user.DisabledBy && u.IsSuperAdmin, cancellationToken)))
        {
            return await RefuseAsync(audit, AuditActions.Enable, "User", "Only a platform administrator can enable this account.",
                "It belongs to other clinics too, or a platform administrator disabled it.", cancellationToken, selfGrant: false);
        }

        user.IsDisabled = false;
        user.DisabledBy = null;
        await db.SaveChangesAsync(cancellationToken);
        await access.ForgetUserAsync(userId, cancellationToken);
        await audit.WriteAsync(AuditActions.Enable, "User", AuditOutcomes.Success, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Refuses a change one may not make with 403, audited as denied; <paramref name="selfGrant"/> marks a change that
    /// would raise the caller's own access or that of an account at their address.
    /// </summary>
    private static async Task<ProblemHttpResult> RefuseAsync(
        Auditor audit, string action, string resource, string title, string detail, CancellationToken cancellationToken, bool selfGrant = true)
    {
        var refusal = selfGrant
            ? SelfGrants.Refused(audit, title, detail)
            : TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status403Forbidden);
        await audit.WriteAsync(action, resource, AuditOutcomes.Denied, cancellationToken);
        return refusal;
    }

    private static async Task<bool> ControlledByCallerAsync(HealthcareDbContext db, Guid caller, string email, CancellationToken cancellationToken) =>
        User.SameMailbox(email, await db.Users.Where(u => u.Id == caller).Select(u => u.Email).SingleAsync(cancellationToken));

    private static async Task<bool> AboveCallerAsync(AuthStateCache access, Guid caller, Guid clinicId, string role, CancellationToken cancellationToken)
    {
        var callerAccess = await access.GetAccessAsync(caller, cancellationToken);
        var own = callerAccess.IsSuperAdmin ? ClinicRoles.SuperAdmin : callerAccess.Roles.GetValueOrDefault(clinicId, ClinicRoles.Patient);
        return ClinicRoles.Rank(role) > ClinicRoles.Rank(own);
    }

}

public sealed record MemberDto(Guid UserId, string DisplayName, string Email, [property: OneOf(typeof(ClinicRoles))] string Role, bool Disabled);

public sealed record InviteRequest([property: Required, EmailAddress, MaxLength(254)] string Email, [property: Required, MaxLength(32)] string Role);

public sealed record InvitationDto(Guid Id, string Email, [property: OneOf(typeof(ClinicRoles))] string Role, DateTimeOffset ExpiresAt);

public sealed record ChangeRoleRequest([property: Required, MaxLength(32)] string Role);

public sealed record AcceptInvitationRequest(
    [property: Required, MaxLength(100)] string Token,
    [property: Required, MaxLength(PasswordPolicy.MaximumLength)] string Password,
    [property: MaxLength(200)] string? DisplayName,
    [property: MaxLength(20)] string? MfaCode = null);
