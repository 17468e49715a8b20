using System.Globalization;

namespace Healthcare.Testing;

/// <summary>
/// One factor for every limit on waiting (a process to serve, an e-mail to arrive, a poll to see a change): a loaded
/// or small machine starts processes and delivers messages more slowly, not wrongly. Waits poll and end as soon as
/// their condition holds, so a generous limit costs nothing when things are fast. Limits that measure behaviour (a
/// request must fail within its timeout, a drain must last) are not scaled.
/// </summary>
public static class TestTimeouts
{
    /// <summary>
    /// TEST_TIMEOUT_SCALE when set; otherwise 3 on a machine of at most 2 cores, else 1, raised to the load average per
    /// core when the test run started (at most 10).
    /// </summary>
    public static double Scale { get; } = Read();

    /// <summary><paramref name="limit"/> times <see cref="Scale"/>.</summary>
    public static TimeSpan Scaled(TimeSpan limit) => limit * Scale;

    /// <summary>A number of polls times <see cref="Scale"/>, for loops that count their attempts.</summary>
    public static int Polls(int count) => (int)Math.Ceiling(count * Scale);

    private static double Read()
    {
        if (double.TryParse(Environment.GetEnvironmentVariable("TEST_TIMEOUT_SCALE"), NumberStyles.Float, CultureInfo.InvariantCulture, out var set) && set > 0)
        {
            return set;
        }

        var cores = Environment.ProcessorCount;
        var floor = cores <= 2 ? 3.0 : 1.0;
        return Math.Clamp(LoadAverage() / cores, floor, Math.Max(floor, 10));
    }

    /// <summary>The one-minute load average (Linux), or 0 where there is none.</summary>
    private static double LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : 0;
        }
        catch (IOException)
        {
            return 0;
        }
        catch (UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
