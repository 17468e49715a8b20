namespace Healthcare.Testing;

/// <summary>The start of an xunit fixture (<c>IAsyncLifetime</c>) that cleans up after itself when it fails.</summary>
public static class Fixture
{
    /// <summary>
    /// Runs <paramref name="start"/>; when it throws, runs <paramref name="dispose"/> before passing the failure on:
    /// xunit ends no fixture whose <c>InitializeAsync</c> threw, so nothing else would stop what had already started.
    /// <paramref name="dispose"/> must cope with a fixture only partly started.
    /// </summary>
    public static async Task StartOrDisposeAsync(Func<Task> start, Func<Task> dispose)
    {
        try
        {
            await start();
        }
        catch
        {
            await dispose();
            throw;
        }
    }
}
