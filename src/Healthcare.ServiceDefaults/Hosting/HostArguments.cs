namespace Healthcare.ServiceDefaults.Hosting;

/// <summary>The arguments the API and the worker build their host with: the command line plus shared host settings.</summary>
public static class HostArguments
{
    /// <summary>
    /// Settings come from the environment, so appsettings files are read once and never watched. Watching them
    /// means an inotify watch over the working directory and everything below it, and CPU spent on every file
    /// written there: with a database's data directory beneath it, about a tenth of the API's CPU under load.
    /// </summary>
    public static string[] For(string[] args) => [.. args, "--hostBuilder:reloadConfigOnChange=false"];
}
