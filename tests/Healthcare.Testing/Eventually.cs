namespace Healthcare.Testing;

/// <summary>Waits for what another process or a background step does: a bounded poll, never a fixed sleep.</summary>
public static class Eventually
{
    /// <summary>
    /// Reads until <paramref name="done"/> holds or <paramref name="within"/> (5 s by default) scaled by
    /// <see cref="TestTimeouts.Scale"/> has passed, and returns the last value read, for the test to assert on.
    /// </summary>
    public static async Task<T> ReadAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Scaled(within ?? TimeSpan.FromSeconds(5));
        var value = await read();
        while (!done(value) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            value = await read();
        }

        return value;
    }
}
