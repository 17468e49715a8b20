using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Microsoft.EntityFrameworkCore;
using ZiggyCreatures.Caching.Fusion;

namespace Healthcare.Api.Features.Clinics;

/// <summary>
/// Clinic profiles, the directory entry every booking screen reads: cached for five minutes (memory, then
/// Redis) and forgotten on every instance when the clinic changes. A profile holds no patient data.
/// </summary>
public sealed class ClinicDirectory(IFusionCache cache, LookupDatabase lookups)
{
    private readonly FusionCacheEntryOptions _entry = cache.CreateEntryOptions(duration: TimeSpan.FromMinutes(5));

    public ValueTask<CachedClinic?> GetAsync(Guid clinicId, CancellationToken cancellationToken) =>
        cache.GetOrSetAsync<CachedClinic?>(Key(clinicId), async (_, ct) =>
        {
            await using var db = lookups.CreateContext();
            var clinic = await db.Clinics.SingleOrDefaultAsync(c => c.Id == clinicId, ct);
            return clinic is null ? null : new CachedClinic(clinic.ToDto(), clinic.Version);
        }, options: _entry, token: cancellationToken);

    /// <summary>Forgets the profile on every instance, again once the change is committed.</summary>
    public ValueTask ForgetAsync(HttpContext http, Guid clinicId, CancellationToken cancellationToken) =>
        cache.RemoveOnChangeAsync(http, Key(clinicId), cancellationToken);

    private static string Key(Guid clinicId) => $"clinic:{clinicId:N}:profile";
}

/// <summary>A clinic's profile and the row version its ETag is made from.</summary>
public sealed record CachedClinic(ClinicDto Profile, uint Version);
