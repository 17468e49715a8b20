using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;

namespace Healthcare.Api.Features.Identity.Authentication;

/// <summary>The caller must hold <see cref="Permission"/> in the clinic named by the route's <c>{clinicId}</c>.</summary>
public sealed record ClinicPermissionRequirement(string Permission) : IAuthorizationRequirement;

/// <summary>
/// Decides clinic permissions from the caller's (cached) memberships. A caller with no role in the clinic gets
/// 404, as if the clinic did not exist; a member whose role lacks the permission gets 403.
/// </summary>
internal sealed class ClinicPermissionHandler(AuthStateCache access) : AuthorizationHandler<ClinicPermissionRequirement>
{
    public const string NotAMember = "not-a-member";
    public const string MfaRequired = "mfa-required";

    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, ClinicPermissionRequirement requirement)
    {
        if (context.Resource is not HttpContext http ||
            !Guid.TryParse(context.User.FindFirst("sub")?.Value, out var userId) ||
            !Guid.TryParse(ClinicScope.ClinicIdOf(http), out var clinicId))
        {
            context.Fail(new AuthorizationFailureReason(this, NotAMember));
            return;
        }

        var caller = await access.GetAccessAsync(userId, http.RequestAborted);
        if (caller.IsSuperAdmin && !await access.ClinicExistsAsync(clinicId, http.RequestAborted))
        {
            // Every clinic is open to a platform administrator, but one that does not exist is not found.
            context.Fail(new AuthorizationFailureReason(this, NotAMember));
        }
        else if (caller.IsSuperAdmin)
        {
            http.Items[ClinicScope.RoleItem] = ClinicRoles.SuperAdmin;
            context.Succeed(requirement);
        }
        else if (caller.Roles.TryGetValue(clinicId, out var role))
        {
            http.Items[ClinicScope.RoleItem] = role;
            if (role != ClinicRoles.Patient && !caller.MfaEnabled && await access.ClinicRequiresStaffMfaAsync(clinicId, http.RequestAborted))
            {
                context.Fail(new AuthorizationFailureReason(this, MfaRequired));
            }
            else if (Permissions.Grants(role, requirement.Permission))
            {
                context.Succeed(requirement);
            }
        }
        else
        {
            context.Fail(new AuthorizationFailureReason(this, NotAMember));
        }
    }
}

/// <summary>
/// Turns "not a member of this clinic" into 404 instead of 403, and explains a missing second factor. Every refusal
/// of a signed-in caller is audited, under the endpoint's audited action or else as an access to the operation.
/// </summary>
internal sealed class ClinicAuthorizationResults(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden)
        {
            await AuditRefusalAsync(context);
        }

        var reasons = authorizeResult.Forbidden ? authorizeResult.AuthorizationFailure?.FailureReasons.Select(r => r.Message).ToList() : null;
        if (reasons?.Contains(ClinicPermissionHandler.NotAMember) == true)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (reasons?.Contains(ClinicPermissionHandler.MfaRequired) == true)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = MfaRequired() });
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }

    private static Task AuditRefusalAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        var audited = endpoint?.Metadata.GetMetadata<AuditedMetadata>();
        var operation = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "Endpoint";
        var auditor = context.RequestServices.GetRequiredService<Auditor>();
        return auditor.WriteAsync(audited?.Action ?? AuditActions.Access, audited?.ResourceType ?? operation, AuditOutcomes.Denied, context.RequestAborted);
    }

    /// <summary>The answer to staff without a second factor in a clinic that requires one.</summary>
    public static ProblemDetails MfaRequired() => new()
    {
        Status = StatusCodes.Status403Forbidden,
        Title = "This clinic requires multi-factor authentication for its staff.",
        Detail = "Enrol with POST /api/v1/auth/mfa/enrol and confirm, then sign in again.",
        Extensions = { ["mfaEnrolmentRequired"] = true },
    };
}

public static class ClinicAuthorizationExtensions
{
    /// <summary>Declares, once for a group or endpoint, the permission it needs in the route's clinic.</summary>
    public static TBuilder RequirePermission<TBuilder>(this TBuilder builder, string permission)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(policy => policy
            .RequireAuthenticatedUser()
            .AddRequirements(new ClinicPermissionRequirement(permission)));
}
