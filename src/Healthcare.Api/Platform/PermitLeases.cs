using System.Collections.Concurrent;
using StackExchange.Redis;

namespace Healthcare.Api.Platform;

/// <summary>
/// Shared fixed-window budgets counted in Redis, taken in leases: an instance reserves several permits of a
/// client's budget with one Redis call and hands them out from memory, so a busy client costs a Redis round trip
/// per lease instead of per request. A lease is at most <see cref="MaxLease"/> permits and an eighth of what was
/// left of the budget when it was taken, and the first request of a client in each window takes one permit only;
/// near the end of a budget leases shrink to one permit, so small budgets are counted exactly. Redis counts every
/// leased permit, so all instances together never grant more than the budget; a client may instead be refused
/// early by the permits other instances still hold for it (ADR 50).
/// </summary>
public sealed class PermitLeases(IConnectionMultiplexer redis, TimeProvider clock)
{
    /// <summary>Permits one Redis call may reserve at most.</summary>
    public const int MaxLease = 64;

    /// <summary>Clients whose leases are kept in memory; beyond that each request takes one permit from Redis.</summary>
    private const int MaxClients = 100_000;

    // Adds the lease to the window's count and returns the new count; the key lives as long as its window.
    private const string Take = """
        local used = redis.call('INCRBY', KEYS[1], ARGV[1])
        if used == tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return used
        """;

    private readonly ConcurrentDictionary<string, Lease> _leases = new();
    private long _sweptWindow;

    /// <summary>Takes one permit of the budget, from this instance's lease when it holds one, else from Redis.</summary>
    /// <exception cref="RedisException">Redis failed; the caller counts the request another way.</exception>
    public async ValueTask<Verdict> AcquireAsync(Budget budget, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var length = (long)window.TotalMilliseconds;
        var index = now / length;
        var reset = (((index + 1) * length) - now + 999) / 1000;
        var lease = LeaseFor(budget.Key, index);
        int size;
        lock (lease)
        {
            if (lease.Window != index)
            {
                (lease.Window, lease.Held, lease.Counted) = (index, 0, 0);
            }

            if (lease.Held > 0)
            {
                lease.Held--;
                return new Verdict(true, lease.Remaining(budget.Limit), reset);
            }

            // The first request of a window learns the count; later leases grow with what is left of the budget.
            size = lease.Counted == 0 ? 1 : (int)Math.Clamp((budget.Limit - lease.Counted) / 8, 1, MaxLease);
        }

        var key = $"hb:rate:{{{budget.Key}}}:{index}";
        var counted = (long)await redis.GetDatabase()
            .ScriptEvaluateAsync(Take, [key], [size, length + 1000])
            .WaitAsync(cancellationToken);
        // Permits beyond the budget are counted (the window is spent) but not granted.
        var granted = (int)Math.Clamp(budget.Limit - (counted - size), 0, size);
        lock (lease)
        {
            if (lease.Window == index)
            {
                lease.Counted = Math.Max(lease.Counted, counted);
                lease.Held += Math.Max(granted - 1, 0);
            }

            return granted == 0
                ? new Verdict(false, 0, reset)
                : new Verdict(true, lease.Window == index ? lease.Remaining(budget.Limit) : Math.Max(budget.Limit - counted, 0), reset);
        }
    }

    private Lease LeaseFor(string key, long window)
    {
        if (_leases.TryGetValue(key, out var lease))
        {
            return lease;
        }

        if (Interlocked.Exchange(ref _sweptWindow, window) != window)
        {
            // Once per window: forget the clients of past windows.
            foreach (var (client, old) in _leases)
            {
                if (Volatile.Read(ref old.Window) < window)
                {
                    _leases.TryRemove(client, out _);
                }
            }
        }

        // Past the cap a client gets a lease of its own that is not kept: one permit per Redis call.
        return _leases.Count < MaxClients ? _leases.GetOrAdd(key, static _ => new Lease()) : new Lease();
    }

    private sealed class Lease
    {
        public long Window = -1;

        /// <summary>Permits leased to this instance and not handed out yet.</summary>
        public int Held;

        /// <summary>The window's count in Redis after this instance's last lease: permits taken by all instances.</summary>
        public long Counted;

        // What is left as far as this instance knows: the budget less the permits taken, plus the ones it still holds.
        public long Remaining(int limit) => Math.Max(limit - Counted + Held, 0);
    }
}
