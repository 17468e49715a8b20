using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;

namespace Healthcare.Api.Features.Identity;

/// <summary>The identity area's services: token authentication, sessions, clinic authorization and sign-in.</summary>
public static class IdentityServices
{
    public static WebApplicationBuilder AddIdentity(this WebApplicationBuilder builder)
    {
        builder.Services.AddTokenAuthentication();
        builder.Services.AddGeneratedJson(IdentityJsonContext.Default);
        return builder;
    }
}
