using System.Collections.Concurrent;
using System.Diagnostics;

namespace Healthcare.Testing;

/// <summary>
/// The long-running processes the tests start (APIs, workers, Prometheus), killed with their children when the test
/// run's own process exits: a fixture whose start failed, or a test that lost track of a process, leaves nothing
/// running after the suite (xunit ends no fixture whose <c>InitializeAsync</c> threw).
/// </summary>
public static class StartedProcesses
{
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    static StartedProcesses() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    /// <summary>Remembers <paramref name="process"/> (already started) until <see cref="StopAsync"/>.</summary>
    public static void Track(Process process) => Running[process.Id] = process;

    /// <summary>Kills <paramref name="process"/> and its children unless it has exited, and forgets it.</summary>
    public static async Task StopAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        finally
        {
            Running.TryRemove(new KeyValuePair<int, Process>(process.Id, process));
        }
    }

    private static void KillAll()
    {
        foreach (var process in Running.Values)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(TimeSpan.FromSeconds(5));
                }
            }
            catch (InvalidOperationException)
            {
                // Exited between the check and the kill.
            }
        }
    }
}
