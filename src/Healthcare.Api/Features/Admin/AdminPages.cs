using System.Text.Encodings.Web;
using Hangfire;
using Hangfire.Dashboard;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Core.Jobs;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;

namespace Healthcare.Api.Features.Admin;

/// <summary>
/// The built-in web pages for operators (<c>/queue-dashboard</c>, and later <c>/logger</c>). They sign in through
/// <see cref="AdminSignIn"/> with the API's own accounts and second factor and then carry a short-lived access token
/// in an HttpOnly, SameSite=Strict cookie that only these pages read; every POST needs an anti-forgery token.
/// </summary>
public static class AdminPages
{
    public const string Scheme = "AdminPages";
    public const string Policy = "admin_pages";
    public const string QueueDashboardPath = "/queue-dashboard";

    /// <summary>The pages a sign-in may return to; anything else goes to the queue dashboard (no open redirect).</summary>
    public static readonly IReadOnlyList<string> Pages = [QueueDashboardPath, "/logger"];

    public static IServiceCollection AddAdminPages(this IServiceCollection services)
    {
        services.AddAdminDataProtection();
        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "hb_admin_csrf";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.Cookie.Path = "/";
        });
        services.AddJobStorage();
        services.AddAuthentication().AddJwtBearer(Scheme);
        services.AddOptions<JwtBearerOptions>(Scheme).ValidateAccessTokens().Configure(jwt =>
        {
            jwt.Events.OnMessageReceived = context =>
            {
                // The cookie only: without it the handler would fall back to an Authorization header.
                if (context.Request.Cookies[AdminSignIn.CookieName(context.Request)] is { Length: > 0 } token)
                {
                    context.Token = token;
                }
                else
                {
                    context.NoResult();
                }

                return Task.CompletedTask;
            };
            jwt.Events.OnChallenge = context =>
            {
                // A browser asking for a page is sent to the sign-in page; anything else gets the plain 401.
                if (HttpMethods.IsGet(context.Request.Method))
                {
                    context.HandleResponse();
                    context.Response.Redirect(AdminSignIn.Path + "?returnUrl=" +
                        UrlEncoder.Default.Encode(context.Request.PathBase + context.Request.Path));
                }

                return Task.CompletedTask;
            };
        });
        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(Scheme)
            .RequireAuthenticatedUser()
            .RequireAssertion(Policies.IsSuperAdminAsync));
        return services;
    }

    public static WebApplication MapAdminPages(this WebApplication app)
    {
        // After authentication and authorization (set up by the platform), before any endpoint runs.
        app.UseAntiforgery();
        app.MapAdminSignIn();
        app.MapHangfireDashboard(QueueDashboardPath, new DashboardOptions
        {
            DashboardTitle = "Healthcare Backend jobs",
            // The policy below has already admitted the caller; this filter keeps the dashboard shut if the
            // endpoint were ever mapped without it.
            Authorization = [new SignedInFilter()],
            DisplayStorageConnectionString = false,
            AppPath = AdminSignIn.HomePath,
        }).RequireAuthorization(Policy);
        return app;
    }

    private sealed class SignedInFilter : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) =>
            context.GetHttpContext().User.Identity?.IsAuthenticated == true;
    }
}
