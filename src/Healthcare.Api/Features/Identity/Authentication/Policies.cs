using Microsoft.AspNetCore.Authorization;

namespace Healthcare.Api.Features.Identity.Authentication;

/// <summary>Named authorization policies.</summary>
public static class Policies
{
    public const string SuperAdmin = "super_admin";

    public static AuthorizationBuilder AddPlatformPolicies(this AuthorizationBuilder builder) =>
        builder.AddPolicy(SuperAdmin, policy => policy.RequireAuthenticatedUser().RequireAssertion(IsSuperAdminAsync));

    /// <summary>Reads the flag on each request (cached, and evicted everywhere when it changes).</summary>
    public static async Task<bool> IsSuperAdminAsync(AuthorizationHandlerContext context)
    {
        if (context.Resource is not HttpContext http ||
            !Guid.TryParse(context.User.FindFirst("sub")?.Value, out var userId))
        {
            return false;
        }

        var access = await http.RequestServices.GetRequiredService<AuthStateCache>().GetAccessAsync(userId, http.RequestAborted);
        return access.IsSuperAdmin;
    }
}
