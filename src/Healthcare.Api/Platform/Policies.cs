using Microsoft.AspNetCore.Authorization;

namespace Healthcare.Api.Platform;

/// <summary>Named authorization policies.</summary>
public static class Policies
{
    public const string SuperAdmin = "super_admin";

    public static AuthorizationBuilder AddPlatformPolicies(this AuthorizationBuilder builder) =>
        builder.AddPolicy(SuperAdmin, policy => policy
            .RequireAuthenticatedUser()
            .RequireAssertion(async context =>
            {
                if (context.Resource is not HttpContext http ||
                    !Guid.TryParse(context.User.FindFirst("sub")?.Value, out var userId))
                {
                    return false;
                }

                // Cached, and evicted everywhere when the flag changes.
                var access = await http.RequestServices.GetRequiredService<AuthStateCache>().GetAccessAsync(userId, http.RequestAborted);
                return access.IsSuperAdmin;
            }));
}
