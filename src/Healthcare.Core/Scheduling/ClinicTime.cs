using NodaTime;

namespace Healthcare.Core.Scheduling;

/// <summary>Conversions between stored instants and a clinic's wall clock (IANA zones from NodaTime's embedded database).</summary>
public static class ClinicTime
{
    public static DateTimeZone? FindZone(string? id) => id is null ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(id);

    public static DateTimeZone Zone(string id) =>
        FindZone(id) ?? throw new InvalidOperationException("A stored clinic time zone is not a known IANA zone.");

    /// <summary>The same instant, written with the clinic's offset at that instant (2026-03-08T09:00:00-04:00).</summary>
    public static DateTimeOffset Local(DateTimeOffset at, DateTimeZone zone) =>
        Instant.FromDateTimeOffset(at).InZone(zone).ToDateTimeOffset();

    public static DateTimeOffset Local(Instant at, DateTimeZone zone) => at.InZone(zone).ToDateTimeOffset();

    /// <summary>The first instant of a local date in the clinic (midnight, or the end of a gap at midnight).</summary>
    public static Instant StartOfDay(LocalDate date, DateTimeZone zone) => zone.AtStartOfDay(date).ToInstant();

    public static LocalDate Today(TimeProvider clock, DateTimeZone zone) =>
        Instant.FromDateTimeOffset(clock.GetUtcNow()).InZone(zone).Date;
}
