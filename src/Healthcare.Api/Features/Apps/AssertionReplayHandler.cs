using Healthcare.Core.Data;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Healthcare.Api.Features.Apps;

/// <summary>
/// SMART Backend Services' rules for a client assertion, wherever an app presents one (token, introspection and
/// revocation endpoints), once OpenIddict has verified its signature, issuer, subject, audience and expiry: it has a
/// <c>jti</c>, it expires within five minutes, and it is never accepted twice.
/// </summary>
public sealed class AssertionReplayHandler(HealthcareDbContext db, TimeProvider clock) : IOpenIddictServerHandler<OpenIddictServerEvents.ProcessAuthenticationContext>
{
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(5);

    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ProcessAuthenticationContext>()
            .UseScopedHandler<AssertionReplayHandler>()
            .SetOrder(OpenIddictServerHandlers.ValidateClientAssertion.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(OpenIddictServerEvents.ProcessAuthenticationContext context)
    {
        if (context.ClientAssertionPrincipal is not { } assertion)
        {
            return;
        }

        // The assertion's subject is the client (OpenIddict has checked it against the client it authenticates).
        var clientId = assertion.GetClaim(Claims.Subject);
        var jti = assertion.GetClaim(Claims.JwtId);
        var expires = assertion.GetExpirationDate();
        if (string.IsNullOrEmpty(clientId) || string.IsNullOrEmpty(jti) || jti.Length > 200)
        {
            context.Reject(Errors.InvalidClient, "The assertion has no jti.");
        }
        else if (expires is null || expires - clock.GetUtcNow() > MaxLifetime)
        {
            context.Reject(Errors.InvalidClient, "The assertion must expire within five minutes.");
        }
        else if (await db.Database.ExecuteSqlAsync(
            $"INSERT INTO client_assertion_uses (client_id, jti, expires_at) VALUES ({clientId}, {jti}, {expires.Value.ToUniversalTime()}) ON CONFLICT DO NOTHING") == 0)
        {
            context.Reject(Errors.InvalidClient, "The assertion has already been used.");
        }
    }
}
