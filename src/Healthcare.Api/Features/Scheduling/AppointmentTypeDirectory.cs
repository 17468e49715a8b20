using Healthcare.Api.Platform;
using Healthcare.Core.Data;
using Healthcare.Core.Scheduling;
using Microsoft.EntityFrameworkCore;
using ZiggyCreatures.Caching.Fusion;

namespace Healthcare.Api.Features.Scheduling;

/// <summary>
/// A clinic's visit types as availability reads them: cached for five minutes (memory, then Redis) and forgotten on
/// every instance when a type changes, so that a search for free slots needs no database round trip for the type.
/// Bookings read the type from the database in their own transaction (<see cref="BookingChecks"/>).
/// </summary>
public sealed class AppointmentTypeDirectory(IFusionCache cache, LookupDatabase lookups)
{
    private readonly FusionCacheEntryOptions _entry = cache.CreateEntryOptions(duration: TimeSpan.FromMinutes(5));

    /// <summary>The active type with this id in the clinic, or null.</summary>
    public async ValueTask<AppointmentType?> GetActiveAsync(Guid clinicId, Guid typeId, CancellationToken cancellationToken)
    {
        var cached = await cache.GetOrSetAsync<AppointmentTypeDto?>(Key(typeId), async (_, ct) =>
        {
            await using var db = lookups.CreateContext();
            var type = await db.AppointmentTypes.AsNoTracking().SingleOrDefaultAsync(t => t.Id == typeId, ct);
            return type?.ToDto();
        }, options: _entry, token: cancellationToken);
        return cached is { IsActive: true } dto && dto.ClinicId == clinicId
            ? new AppointmentType
            {
                Id = dto.Id,
                ClinicId = dto.ClinicId,
                Name = dto.Name,
                Mode = dto.Mode,
                DurationMinutes = dto.DurationMinutes,
                BufferMinutes = dto.BufferMinutes,
            }
            : null;
    }

    /// <summary>Forgets the type on every instance, again once the change is committed.</summary>
    public ValueTask ForgetAsync(HttpContext http, Guid typeId, CancellationToken cancellationToken) =>
        cache.RemoveOnChangeAsync(http, Key(typeId), cancellationToken);

    private static string Key(Guid typeId) => $"appointment-type:{typeId:N}";
}
