using ZiggyCreatures.Caching.Fusion;

namespace Healthcare.Api.Features.Scheduling;

/// <summary>
/// Computed free slots, cached briefly per practitioner and query (L1 on each instance) and evicted on every
/// instance, through the Redis backplane, whenever the practitioner's bookings, hours or absences change.
/// Slots hold no patient data. The database, not this cache, decides whether a booking succeeds.
/// </summary>
public sealed class AvailabilityCache(IFusionCache cache)
{
    private readonly FusionCacheEntryOptions _entry = cache.CreateEntryOptions(duration: TimeSpan.FromSeconds(30));

    public ValueTask<T> GetOrComputeAsync<T>(string key, Guid practitionerId, Func<CancellationToken, Task<T>> compute, CancellationToken cancellationToken) =>
        cache.GetOrSetAsync<T>($"availability:{key}", (_, ct) => compute(ct), options: _entry, tags: [Tag(practitionerId)], token: cancellationToken);

    public ValueTask ForgetAsync(Guid practitionerId, CancellationToken cancellationToken) =>
        cache.RemoveByTagAsync(Tag(practitionerId), token: cancellationToken);

    private static string Tag(Guid practitionerId) => $"practitioner:{practitionerId:N}";
}
