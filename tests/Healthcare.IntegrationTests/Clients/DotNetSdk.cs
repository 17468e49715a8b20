using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Clients;

/// <summary>clients/dotnet: its hand-written sources, and the Kiota generator as <c>make clients</c> runs it.</summary>
internal static class DotNetSdk
{
    public static readonly string Root = Path.Combine(RepositoryPaths.Root, "clients", "dotnet");

    /// <summary>Where the generated client sits, relative to <see cref="Root"/>.</summary>
    public static readonly string GeneratedFolder = Path.Combine("src", "HealthcareBackend.Client", "Generated");

    private static readonly string[] HandWritten =
    [
        "Directory.Build.props",
        "Directory.Packages.props",
        Path.Combine("src", "HealthcareBackend.Client", "HealthcareBackend.Client.csproj"),
        Path.Combine("src", "HealthcareBackend.Client", "HealthcareClient.cs"),
        Path.Combine("scenario", "Newcomer", "Newcomer.csproj"),
        Path.Combine("scenario", "Newcomer", "Program.cs"),
    ];

    /// <summary>Copies the SDK's hand-written files (not the generated client, not build output) under <paramref name="workspace"/>.</summary>
    public static void CopySources(string workspace)
    {
        foreach (var file in HandWritten)
        {
            var target = Path.Combine(workspace, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(Root, file), target);
        }
    }

    /// <summary>Runs Kiota (the repository's local dotnet tool) on <paramref name="document"/>, writing the client to <paramref name="output"/>.</summary>
    public static Task<CommandLine.Result> GenerateAsync(string document, string output) =>
        CommandLine.RunAsync("dotnet", [
            "tool", "run", "kiota", "generate", "--language", "CSharp", "--openapi", document,
            "--class-name", "HealthcareApiClient", "--namespace-name", "HealthcareBackend.Client", "--output", output,
            "--exclude-backward-compatible", "--clean-output", "--log-level", "Warning",
        ], TimeSpan.FromSeconds(120), RepositoryPaths.Root);

    /// <summary><c>dotnet build</c> arguments that leave no compiler or MSBuild server running after the build.</summary>
    public static string[] BuildArguments(string project, string output) =>
        ["build", project, "-c", "Release", "-o", output, "-nologo", "--disable-build-servers", "-p:UseSharedCompilation=false"];

    /// <summary>The generated C# files under <paramref name="folder"/>, by path relative to it.</summary>
    public static SortedDictionary<string, string> GeneratedSources(string folder) =>
        new(Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllText), StringComparer.Ordinal);
}
