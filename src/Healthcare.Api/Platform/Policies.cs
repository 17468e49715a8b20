using Healthcare.Core.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;

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
                // Looked up on every request, so a revoked flag takes effect at once.
                if (context.Resource is not HttpContext http ||
                    !Guid.TryParse(context.User.FindFirst("sub")?.Value, out var userId))
                {
                    return false;
                }

                var db = http.RequestServices.GetRequiredService<HealthcareDbContext>();
                return await db.Users.AnyAsync(u => u.Id == userId && u.IsSuperAdmin && !u.IsDisabled, http.RequestAborted);
            }));
}
