using Healthcare.Testing;
using Microsoft.Playwright;

namespace Healthcare.BrowserTests;

/// <summary>
/// Headless Debian Chromium driven by Playwright. The browser binary comes from the system package
/// (CHROMIUM_PATH, default /usr/bin/chromium); Playwright never downloads one.
/// </summary>
public sealed class Browser : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Instance { get; private set; } = null!;

    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public Task InitializeAsync() => Fixture.StartOrDisposeAsync(StartAsync, DisposeAsync);

    private async Task StartAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException($"Chromium not found at {ExecutablePath}: install it with `apt-get install chromium` (make test does).");
        }

        _playwright = await Playwright.CreateAsync();
        Instance = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Instance is not null)
        {
            await Instance.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    /// <summary>A new page that fails the test on any request leaving loopback.</summary>
    public async Task<IPage> NewPageAsync(List<string> offLoopbackRequests)
    {
        var context = await Instance.NewContextAsync();
        await context.RouteAsync("**/*", async route =>
        {
            var host = new Uri(route.Request.Url).Host;
            if (host is "127.0.0.1" or "localhost" or "[::1]" || route.Request.Url.StartsWith("data:", StringComparison.Ordinal))
            {
                await route.ContinueAsync();
            }
            else
            {
                offLoopbackRequests.Add(route.Request.Url);
                await route.AbortAsync();
            }
        });
        return await context.NewPageAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserTestGroup : ICollectionFixture<Browser>, ICollectionFixture<Healthcare.Testing.RunningApi>
{
    public const string Name = "browser";
}
