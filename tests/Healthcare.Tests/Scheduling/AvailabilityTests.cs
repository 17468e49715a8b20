using Healthcare.Core.Practitioners;
using Healthcare.Core.Scheduling;
using NodaTime;
using NodaTime.Text;

namespace Healthcare.Tests.Scheduling;

public sealed class AvailabilityTests
{
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];
    private static readonly Guid Location = Guid.NewGuid();
    private static readonly Duration ThirtyMinutes = Duration.FromMinutes(30);

    [Fact]
    public void ADayShiftOnTheSpringForwardDayStartsAtNineLocalWithTheNewOffset()
    {
        var sunday = new LocalDate(2026, 3, 8);
        var hours = Shift(IsoDayOfWeek.Sunday, "09:00", "12:00");

        var slots = Availability.FreeSlots(NewYork, sunday.PlusDays(-7), sunday, hours, [], ThirtyMinutes, Duration.Zero, Instant.MinValue);

        Assert.Equal(["2026-03-01T09:00:00-05", "2026-03-08T09:00:00-04"], slots.Where(s => Local(s).Minute == 0 && Local(s).Hour == 9).Select(Text));
        Assert.Equal(11 * 2, slots.Count);
    }

    [Fact]
    public void TheSkippedHourOfSpringForwardIsNotBookable()
    {
        var sunday = new LocalDate(2026, 3, 8);
        var hours = Shift(IsoDayOfWeek.Sunday, "01:00", "04:00");

        var slots = Availability.FreeSlots(NewYork, sunday, sunday, hours, [], ThirtyMinutes, Duration.Zero, Instant.MinValue);

        // 01:00-04:00 on the wall clock is two real hours: 01:00-02:00 EST, then 03:00-04:00 EDT.
        Assert.Equal(
            ["01:00-05", "01:15-05", "01:30-05", "01:45-05", "03:00-04", "03:15-04", "03:30-04"],
            slots.Select(s => Local(s).ToString("HH:mmo<+HH>", null)));
        Assert.DoesNotContain(slots, s => Local(s).Hour == 2);
    }

    [Fact]
    public void TheRepeatedHourOfFallBackIsBookableTwice()
    {
        var sunday = new LocalDate(2026, 11, 1);
        var hours = Shift(IsoDayOfWeek.Sunday, "00:30", "02:00");

        var slots = Availability.FreeSlots(NewYork, sunday, sunday, hours, [], ThirtyMinutes, Duration.Zero, Instant.MinValue);

        // 00:30-02:00 on the wall clock is two and a half real hours; 01:xx happens once in EDT, once in EST.
        Assert.Equal(
            ["00:30-04", "00:45-04", "01:00-04", "01:15-04", "01:30-04", "01:45-04", "01:00-05", "01:15-05", "01:30-05"],
            slots.Select(s => Local(s).ToString("HH:mmo<+HH>", null)));
        Assert.Equal(slots.Count, slots.Select(s => s.Start).Distinct().Count());
    }

    [Fact]
    public void BookedTimeAndItsBufferAndTimeOffAreNotOffered()
    {
        var monday = new LocalDate(2026, 6, 1);
        var hours = Shift(IsoDayOfWeek.Monday, "09:00", "11:00");
        var booked = At(monday, "09:30");
        var busy = new[]
        {
            new Busy(booked, booked + Duration.FromMinutes(40)), // 30 min visit + 10 min buffer
            new Busy(At(monday, "10:55"), At(monday, "11:00")), // time off
        };

        var slots = Availability.FreeSlots(NewYork, monday, monday, hours, busy, ThirtyMinutes, Duration.FromMinutes(10), Instant.MinValue);

        // 09:00 would run its buffer into 09:30; 09:15-10:00 overlap the booking and its buffer.
        Assert.Equal(["10:15"], slots.Select(s => Local(s).ToString("HH:mm", null)));
    }

    [Fact]
    public void SlotsInThePastAreNotOffered()
    {
        var monday = new LocalDate(2026, 6, 1);

        var slots = Availability.FreeSlots(
            NewYork, monday, monday, Shift(IsoDayOfWeek.Monday, "09:00", "10:00"), [], ThirtyMinutes, Duration.Zero, At(monday, "09:20"));

        Assert.Equal(["09:30"], slots.Select(s => Local(s).ToString("HH:mm", null)));
    }

    [Fact]
    public void ABookingFitsAShiftOnlyWhenItStartsAndEndsInside()
    {
        var monday = new LocalDate(2026, 6, 1);
        var hours = Shift(IsoDayOfWeek.Monday, "09:00", "10:00");

        Assert.Equal(Location, Availability.ShiftLocation(NewYork, hours, At(monday, "09:30"), ThirtyMinutes));
        Assert.Null(Availability.ShiftLocation(NewYork, hours, At(monday, "09:45"), ThirtyMinutes));
        Assert.Null(Availability.ShiftLocation(NewYork, hours, At(monday.PlusDays(1), "09:00"), ThirtyMinutes));
    }

    private static WorkingHours[] Shift(IsoDayOfWeek day, string starts, string ends) =>
    [
        new()
        {
            LocationId = Location,
            Day = NodaTime.Utility.BclConversions.ToDayOfWeek(day),
            Starts = TimeOnly.Parse(starts, System.Globalization.CultureInfo.InvariantCulture),
            Ends = TimeOnly.Parse(ends, System.Globalization.CultureInfo.InvariantCulture),
        },
    ];

    private static Instant At(LocalDate date, string time) =>
        NewYork.AtStrictly(date + LocalTimePattern.CreateWithInvariantCulture("HH:mm").Parse(time).Value).ToInstant();

    private static OffsetDateTime Local(Slot slot) => slot.Start.InZone(NewYork).ToOffsetDateTime();

    private static string Text(Slot slot) => Local(slot).ToString("yyyy-MM-dd'T'HH:mm:sso<+HH>", null);
}
