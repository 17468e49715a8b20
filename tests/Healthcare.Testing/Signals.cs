using System.Globalization;
using System.Runtime.InteropServices;

namespace Healthcare.Testing;

/// <summary>
/// kill(2) by pid or process group, and what /proc says about a pid: for servers the tests start outside
/// <see cref="HostProcess"/> (Patroni, its PostgreSQL, etcd), which are stopped by the pids they recorded, never by name.
/// </summary>
public static partial class Signals
{
    public const int Kill = 9;
    public const int Term = 15;
    public const int Quit = 3;

    /// <summary>Sends <paramref name="signal"/> to <paramref name="pid"/>; false when there is no such process.</summary>
    public static bool Send(int pid, int signal) => pid > 0 && KillSystemCall(pid, signal) == 0;

    /// <summary>Sends <paramref name="signal"/> to every process of the group <paramref name="groupId"/>.</summary>
    public static bool SendToGroup(int groupId, int signal) => groupId > 0 && KillSystemCall(-groupId, signal) == 0;

    /// <summary>A live process (a zombie, dead but not yet reaped by its parent, counts as gone).</summary>
    public static bool IsAlive(int pid) => Stat(pid) is { } stat && stat.State is not ('Z' or 'X');

    /// <summary>The process group of <paramref name="pid"/>, or null when it is gone.</summary>
    public static int? GroupOf(int pid) => Stat(pid)?.Group;

    /// <summary>The live children of <paramref name="pid"/>.</summary>
    public static List<int> ChildrenOf(int pid)
    {
        var children = new List<int>();
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var child) &&
                Stat(child) is { Parent: var parent, State: not ('Z' or 'X') } && parent == pid)
            {
                children.Add(child);
            }
        }

        return children;
    }

    /// <summary>The command line of <paramref name="pid"/>, arguments separated by spaces ("" when it is gone).</summary>
    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>Waits until <paramref name="pid"/> is gone, at most <paramref name="within"/> (not scaled); true when it is.</summary>
    public static async Task<bool> WaitUntilGoneAsync(int pid, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (IsAlive(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    private static (char State, int Parent, int Group)? Stat(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so read after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (fields[0][0], int.Parse(fields[1], CultureInfo.InvariantCulture), int.Parse(fields[2], CultureInfo.InvariantCulture));
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int KillSystemCall(int pid, int signal);
}
