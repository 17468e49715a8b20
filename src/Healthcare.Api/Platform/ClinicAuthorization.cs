using Healthcare.Core.Identity;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace Healthcare.Api.Platform;

/// <summary>The caller must hold <see cref="Permission"/> in the clinic named by the route's <c>{clinicId}</c>.</summary>
public sealed record ClinicPermissionRequirement(string Permission) : IAuthorizationRequirement;

/// <summary>
/// Decides clinic permissions from the caller's (cached) memberships. A caller with no role in the clinic gets
/// 404, as if the clinic did not exist; a member whose role lacks the permission gets 403.
/// </summary>
internal sealed class ClinicPermissionHandler(AuthStateCache access) : AuthorizationHandler<ClinicPermissionRequirement>
{
    public const string NotAMember = "not-a-member";
    public const string RoleItem = "healthcare.clinic-role";

    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, ClinicPermissionRequirement requirement)
    {
        if (context.Resource is not HttpContext http ||
            !Guid.TryParse(context.User.FindFirst("sub")?.Value, out var userId) ||
            !Guid.TryParse(http.GetRouteValue("clinicId")?.ToString(), out var clinicId))
        {
            context.Fail(new AuthorizationFailureReason(this, NotAMember));
            return;
        }

        var caller = await access.GetAccessAsync(userId, http.RequestAborted);
        if (caller.IsSuperAdmin)
        {
            http.Items[RoleItem] = ClinicRoles.SuperAdmin;
            context.Succeed(requirement);
        }
        else if (caller.Roles.TryGetValue(clinicId, out var role))
        {
            http.Items[RoleItem] = role;
            if (Permissions.Grants(role, requirement.Permission))
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

/// <summary>Turns "not a member of this clinic" into 404 instead of 403.</summary>
internal sealed class NotFoundForStrangers : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden &&
            authorizeResult.AuthorizationFailure?.FailureReasons.Any(r => r.Message == ClinicPermissionHandler.NotAMember) == true)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
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
