using Healthcare.Testing;

namespace Healthcare.DeploymentTests;

public sealed class RepositoryLayoutTests
{
    private const int MaxLinesPerSourceFile = 400;
    private static readonly string[] SourceFolders = ["src", "tests"];

    [Fact]
    public void DeploymentKitLivesUnderDevops()
    {
        Assert.True(Directory.Exists(Path.Combine(RepositoryPaths.Root, "devops", "scripts")));
    }

    [Fact]
    public void NoSourceFileOutsideMigrationsExceedsTheLineLimit()
    {
        var tooLong = SourceFiles()
            .Select(path => (Path: Path.GetRelativePath(RepositoryPaths.Root, path), Lines: File.ReadLines(path).Count()))
            .Where(file => file.Lines > MaxLinesPerSourceFile)
            .Select(file => $"{file.Path}: {file.Lines} lines")
            .ToList();

        Assert.True(SourceFiles().Count() > 100, "the scan found too few source files to be looking in the right place");
        Assert.True(tooLong.Count == 0, $"split these files (at most {MaxLinesPerSourceFile} lines each): {string.Join("; ", tooLong)}");
    }

    private static IEnumerable<string> SourceFiles() =>
        SourceFolders
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, folder), "*.cs", SearchOption.AllDirectories))
            .Where(path => !IsUnder(path, "Migrations") && !IsUnder(path, "bin") && !IsUnder(path, "obj"));

    private static bool IsUnder(string path, string folder) =>
        path.Split(Path.DirectorySeparatorChar).Contains(folder, StringComparer.Ordinal);
}
