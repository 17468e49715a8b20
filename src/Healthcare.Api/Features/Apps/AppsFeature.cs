using Healthcare.Api.Platform;

namespace Healthcare.Api.Features.Apps;

/// <summary>Third-party apps: their registration, the authorization server and SMART discovery.</summary>
public static class AppsFeature
{
    public static WebApplicationBuilder AddApps(this WebApplicationBuilder builder)
    {
        builder.AddAppAuthorization();
        builder.Services.AddGeneratedJson(AppsJsonContext.Default);
        return builder;
    }

    public static IEndpointRouteBuilder MapApps(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapClinicAppsApi();
        endpoints.MapMyAppsApi();
        endpoints.MapSmartConfiguration();
        endpoints.MapAppLaunch();
        endpoints.MapPost(AppAuthorizationServer.TokenPath, AppTokenEndpoint.ExchangeAsync)
            .AllowAnonymous()
            .WithAuthRateLimit()
            .ExcludeFromDescription();
        return endpoints;
    }
}
