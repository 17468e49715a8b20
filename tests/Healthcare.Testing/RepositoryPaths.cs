using System.Reflection;

namespace Healthcare.Testing;

/// <summary>Finds the repository and the built API and worker next to the test run.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } =
        typeof(RepositoryPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string ApiDll => Built("Healthcare.Api");

    public static string WorkerDll => Built("Healthcare.Worker");

    private static string Built(string project)
    {
        var path = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", project + ".dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"Build the solution first: {path} is missing.");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HealthcareBackend.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("HealthcareBackend.slnx not found above the test directory.");
    }
}
