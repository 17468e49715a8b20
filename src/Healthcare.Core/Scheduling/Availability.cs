using Healthcare.Core.Practitioners;
using NodaTime;
using NodaTime.Utility;

namespace Healthcare.Core.Scheduling;

/// <summary>A bookable start: the practitioner is free from <see cref="Start"/> for the visit and its buffer.</summary>
public readonly record struct Slot(Instant Start, Instant End, Guid LocationId);

/// <summary>A time range the practitioner cannot be booked in: an appointment (with its buffer) or time off.</summary>
public readonly record struct Busy(Instant Start, Instant End);

/// <summary>
/// Free slots from weekly working hours, minus time off and booked appointments, in the clinic's time zone.
/// Working hours are wall-clock times: on a daylight-saving day a 09:00-17:00 shift still starts at 09:00
/// local time (with that day's offset), and a shift across the change is as long as the clock says it is
/// (a skipped hour is not bookable, a repeated hour is bookable twice).
/// </summary>
public static class Availability
{
    /// <summary>Slots start on this grid, counted from the start of the shift.</summary>
    public static readonly Duration Step = Duration.FromMinutes(15);

    public static List<Slot> FreeSlots(
        DateTimeZone zone,
        LocalDate from,
        LocalDate to,
        IReadOnlyList<WorkingHours> hours,
        IReadOnlyList<Busy> busy,
        Duration visit,
        Duration buffer,
        Instant notBefore)
    {
        var slots = new List<Slot>();
        var ordered = busy.OrderBy(b => b.Start).ToArray();
        for (var date = from; date <= to; date = date.PlusDays(1))
        {
            var weekday = BclConversions.ToDayOfWeek(date.DayOfWeek);
            foreach (var shift in hours.Where(h => h.Day == weekday).OrderBy(h => h.Starts))
            {
                // Lenient: a shift edge inside a skipped hour moves to the end of the gap; inside a repeated
                // hour it takes the earlier occurrence, so the whole repeated hour is worked.
                var shiftStart = zone.AtLeniently(date + LocalTime.FromTimeOnly(shift.Starts)).ToInstant();
                var shiftEnd = zone.AtLeniently(date + LocalTime.FromTimeOnly(shift.Ends)).ToInstant();
                for (var start = shiftStart; start + visit <= shiftEnd; start += Step)
                {
                    if (start < notBefore)
                    {
                        continue;
                    }

                    // The new visit's buffer must not run into the next booking, as the database also checks.
                    var blockedUntil = start + visit + buffer;
                    if (!Overlaps(ordered, start, blockedUntil))
                    {
                        slots.Add(new Slot(start, start + visit, shift.LocationId));
                    }
                }
            }
        }

        return slots;
    }

    /// <summary>Whether a booking from <paramref name="start"/> fits the practitioner's working hours at some location.</summary>
    public static Guid? ShiftLocation(DateTimeZone zone, IReadOnlyList<WorkingHours> hours, Instant start, Duration visit)
    {
        // Shifts never cross midnight (the database checks starts < ends), so only the start's own day counts.
        var date = start.InZone(zone).Date;
        var weekday = BclConversions.ToDayOfWeek(date.DayOfWeek);
        foreach (var shift in hours.Where(h => h.Day == weekday))
        {
            var shiftStart = zone.AtLeniently(date + LocalTime.FromTimeOnly(shift.Starts)).ToInstant();
            var shiftEnd = zone.AtLeniently(date + LocalTime.FromTimeOnly(shift.Ends)).ToInstant();
            if (start >= shiftStart && start + visit <= shiftEnd)
            {
                return shift.LocationId;
            }
        }

        return null;
    }

    private static bool Overlaps(Busy[] ordered, Instant start, Instant end)
    {
        foreach (var b in ordered)
        {
            if (b.Start >= end)
            {
                return false;
            }

            if (b.End > start)
            {
                return true;
            }
        }

        return false;
    }
}
