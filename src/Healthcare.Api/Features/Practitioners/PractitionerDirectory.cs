using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Microsoft.EntityFrameworkCore;
using ZiggyCreatures.Caching.Fusion;

namespace Healthcare.Api.Features.Practitioners;

/// <summary>
/// Practitioner profiles, the directory entry every booking screen shows: cached for five minutes (memory, then
/// Redis) and forgotten on every instance when the profile changes. A profile holds no patient data. Misses read
/// the primary: a lagging replica read just after the change could put the old profile back for five minutes.
/// </summary>
public sealed class PractitionerDirectory(IFusionCache cache, LookupDatabase lookups)
{
    private readonly FusionCacheEntryOptions _entry = cache.CreateEntryOptions(duration: TimeSpan.FromMinutes(5));

    /// <summary>The practitioner's profile, or null when no practitioner has this id in the clinic.</summary>
    public async ValueTask<CachedPractitioner?> GetAsync(Guid clinicId, Guid practitionerId, CancellationToken cancellationToken)
    {
        var cached = await cache.GetOrSetAsync<CachedPractitioner?>(Key(practitionerId), async (_, ct) =>
        {
            await using var db = lookups.CreateContext();
            var practitioner = await db.Practitioners.SingleOrDefaultAsync(p => p.Id == practitionerId, ct);
            return practitioner is null ? null : new CachedPractitioner(practitioner.ClinicId, practitioner.ToDto(), practitioner.Version);
        }, options: _entry, token: cancellationToken);
        return cached?.ClinicId == clinicId ? cached : null;
    }

    /// <summary>Forgets the profile on every instance, again once the change is committed.</summary>
    public ValueTask ForgetAsync(HttpContext http, Guid practitionerId, CancellationToken cancellationToken) =>
        cache.RemoveOnChangeAsync(http, Key(practitionerId), cancellationToken);

    private static string Key(Guid practitionerId) => $"practitioner:{practitionerId:N}:profile";
}

/// <summary>A practitioner's profile, the clinic it belongs to, and the row version its ETag is made from.</summary>
public sealed record CachedPractitioner(Guid ClinicId, PractitionerDto Profile, uint Version);
