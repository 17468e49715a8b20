using Healthcare.Api.Platform;
using Healthcare.Testing;

namespace Healthcare.BrowserTests;

[Collection(BrowserTestGroup.Name)]
public sealed class DocsPageTests(Browser browser, RunningApi api)
{
    [Fact]
    public async Task DocsPageRendersTheApiTitleAndTheLoginOperation()
    {
        var blocked = new List<string>();
        var page = await browser.NewPageAsync(blocked);

        await page.GotoAsync(new Uri(api.HttpAddress, "/docs").ToString());

        await page.GetByText(ApiDocs.Title).First.WaitForAsync(new() { Timeout = 30_000 });
        await page.GetByText("/api/v1/auth/login").First.WaitForAsync(new() { Timeout = 30_000 });
        Assert.Contains(ApiDocs.Title, await page.TitleAsync(), StringComparison.Ordinal);
    }
}
