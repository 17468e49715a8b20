// Exits 0 when the URL answers 2xx within three seconds, 1 otherwise: the health check of the API and
// worker containers, whose chiseled image has neither a shell nor curl.
//   dotnet /app/probe/Healthcare.HealthProbe.dll http://127.0.0.1:8088/health/ready
if (args.Length != 1 || !Uri.TryCreate(args[0], UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
{
    await Console.Error.WriteLineAsync("usage: dotnet Healthcare.HealthProbe.dll http://127.0.0.1:8088/health/ready");
    return 64;
}

using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
try
{
    using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
    if (response.IsSuccessStatusCode)
    {
        return 0;
    }

    await Console.Error.WriteLineAsync($"unhealthy: {url} answered {(int)response.StatusCode}");
    return 1;
}
catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
{
    await Console.Error.WriteLineAsync($"unhealthy: {url} did not answer ({e.GetType().Name})");
    return 1;
}
