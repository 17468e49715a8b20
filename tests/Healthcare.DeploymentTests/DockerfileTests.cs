using System.Text.RegularExpressions;
using System.Xml.Linq;
using Healthcare.Testing;

namespace Healthcare.DeploymentTests;

/// <summary>
/// The rules the images must keep, read from the Dockerfiles (no Docker here to build them): pinned base
/// images, a numeric non-root user, no secrets baked in, the restore layer before the sources, the agreed
/// entry point and paths.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly Dockerfile Production = Dockerfile.Load("Dockerfile");
    private static readonly Dockerfile Development = Dockerfile.Load("Dockerfile.dev");

    public static TheoryData<string> Files => ["Dockerfile", "Dockerfile.dev"];

    [Theory]
    [MemberData(nameof(Files))]
    public void BaseImagesArePinnedToExactVersions(string file)
    {
        var dockerfile = Dockerfile.Load(file);
        var stages = new HashSet<string>();
        foreach (var from in dockerfile.All("FROM"))
        {
            var words = from.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var image = dockerfile.Expand(words[0]);
            if (!stages.Contains(image))
            {
                // registry/name:1.2.3[-variant] or a digest; never latest, never a bare major version.
                Assert.Matches(@"^[\w./-]+(:\d+\.\d+\.\d+[\w.-]*|@sha256:[0-9a-f]{64})$", image);
            }

            if (words.Length == 3 && words[1].Equals("AS", StringComparison.OrdinalIgnoreCase))
            {
                stages.Add(words[2]);
            }
        }
    }

    [Fact]
    public void TheRuntimeStageRunsAsNumericUser10001()
    {
        var user = Production.FinalStage.Last(i => i.Keyword == "USER").Arguments;

        Assert.Matches(@"^10001(:10001)?$", user);
    }

    [Fact]
    public void TheRuntimeIsChiseledWithTimeZonesAndIcu()
    {
        Assert.EndsWith("-chiseled-extra", Production.Expand(Production.FinalStageBase), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void NoSecretIsBakedIntoEnvOrArg(string file)
    {
        foreach (var instruction in Dockerfile.Load(file).Instructions.Where(i => i.Keyword is "ENV" or "ARG"))
        {
            foreach (Match setting in Setting().Matches(instruction.Arguments))
            {
                Assert.False(SecretName().IsMatch(setting.Groups["name"].Value),
                    $"{file}: {instruction.Keyword} {setting.Groups["name"].Value} looks like a secret; secrets come from the environment at run time");
            }
        }
    }

    [Fact]
    public void PackagesAreRestoredBeforeTheSourcesAreCopied()
    {
        var build = Production.Stage("build");
        var restore = build.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal));
        var sources = build.FindIndex(i => i.Keyword == "COPY" && i.Arguments.StartsWith("src/ ", StringComparison.Ordinal));

        Assert.True(restore >= 0, "the build stage has no dotnet restore");
        Assert.True(sources > restore, "the sources must be copied after the restore layer");
        foreach (var copy in build.Take(restore).Where(i => i.Keyword == "COPY"))
        {
            var sourcesCopied = copy.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1];
            Assert.All(sourcesCopied, s => Assert.Matches(@"(\.csproj|\.props|global\.json|\.editorconfig)$", s));
        }
    }

    [Fact]
    public void EveryProjectTheImageBuildsIsCopiedForTheRestore()
    {
        // A project added to the API's or the worker's references must be copied before the restore too.
        var copied = Production.Stage("build").Where(i => i.Keyword == "COPY").Select(i => i.Arguments).ToList();
        foreach (var project in ProjectClosure("Healthcare.Api", "Healthcare.Worker", "Healthcare.HealthProbe"))
        {
            Assert.Contains(copied, c => c.StartsWith($"src/{project}/{project}.csproj ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void OneImageServesTheApiTheWorkerAndTheMigrator()
    {
        var publish = string.Join('\n', Production.Stage("build").Where(i => i.Keyword == "RUN").Select(i => i.Arguments));

        Assert.Contains("src/Healthcare.Api/Healthcare.Api.csproj -c Release --no-restore -o /app/api", publish, StringComparison.Ordinal);
        Assert.Contains("src/Healthcare.Worker/Healthcare.Worker.csproj -c Release --no-restore -o /app/worker", publish, StringComparison.Ordinal);
        Assert.Equal("[\"dotnet\"]", Production.FinalStage.Last(i => i.Keyword == "ENTRYPOINT").Arguments);
        Assert.Equal("[\"/app/api/Healthcare.Api.dll\"]", Production.FinalStage.Last(i => i.Keyword == "CMD").Arguments);
    }

    [Fact]
    public void TheDevelopmentImageRunsDotnetWatchAndHasTheDebugger()
    {
        var text = string.Join('\n', Development.Instructions.Select(i => i.Arguments));

        Assert.Contains("getvsdbg", text, StringComparison.Ordinal);
        Assert.Contains("\"watch\"", Development.Instructions.Last(i => i.Keyword == "CMD").Arguments, StringComparison.Ordinal);
    }

    [Fact]
    public void DockerignoreKeepsLocalStateAndBuildOutputOut()
    {
        var path = Path.Combine(RepositoryPaths.Root, ".dockerignore");
        Assert.True(File.Exists(path), ".dockerignore is missing at the repository root (the build context)");
        var patterns = File.ReadAllLines(path).Select(l => l.Trim()).ToHashSet();

        foreach (var pattern in new[] { ".data", ".git", "**/bin", "**/obj" })
        {
            Assert.Contains(pattern, patterns);
        }
    }

    /// <summary>The named projects and everything they reference, by project name.</summary>
    private static HashSet<string> ProjectClosure(params string[] roots)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>(roots);
        while (pending.TryPop(out var project))
        {
            if (!seen.Add(project))
            {
                continue;
            }

            var file = Path.Combine(RepositoryPaths.Root, "src", project, project + ".csproj");
            foreach (var reference in XDocument.Load(file).Descendants("ProjectReference"))
            {
                pending.Push(Path.GetFileNameWithoutExtension(reference.Attribute("Include")!.Value.Replace('\\', '/')));
            }
        }

        return seen;
    }

    /// <summary>The names an ENV or ARG sets: NAME=value pairs, or a lone NAME.</summary>
    [GeneratedRegex(@"(?:^|\s)(?<name>[A-Za-z_][A-Za-z0-9_]*)(?==|$)")]
    private static partial Regex Setting();

    [GeneratedRegex("PASSWORD|SECRET|TOKEN|_KEY$|KEYS|DATABASE_URL|REDIS_URL|CONNECTION", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}

/// <summary>A Dockerfile as a list of instructions: comments dropped, continuation lines joined, ARG defaults known.</summary>
public sealed class Dockerfile
{
    private readonly Dictionary<string, string> _args = [];

    private Dockerfile(List<Instruction> instructions)
    {
        Instructions = instructions;
        foreach (var arg in instructions.TakeWhile(i => i.Keyword != "FROM").Where(i => i.Keyword == "ARG"))
        {
            var parts = arg.Arguments.Split('=', 2);
            if (parts.Length == 2)
            {
                _args[parts[0]] = parts[1];
            }
        }
    }

    public sealed record Instruction(string Keyword, string Arguments);

    public List<Instruction> Instructions { get; }

    public IEnumerable<string> All(string keyword) => Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);

    public List<Instruction> FinalStage => Instructions.Skip(Instructions.FindLastIndex(i => i.Keyword == "FROM")).ToList();

    public string FinalStageBase
    {
        get
        {
            var from = FinalStage[0].Arguments.Split(' ')[0];
            // FROM runtime-base AS runtime: follow the stage back to its image.
            var stage = Instructions.FirstOrDefault(i => i.Keyword == "FROM" && i.Arguments.EndsWith(" AS " + from, StringComparison.OrdinalIgnoreCase));
            return stage?.Arguments.Split(' ')[0] ?? from;
        }
    }

    /// <summary>The instructions of the stage named <paramref name="name"/>, its FROM first.</summary>
    public List<Instruction> Stage(string name)
    {
        var start = Instructions.FindIndex(i => i.Keyword == "FROM" && i.Arguments.EndsWith(" AS " + name, StringComparison.OrdinalIgnoreCase));
        Assert.True(start >= 0, $"no stage named {name}");
        var end = Instructions.FindIndex(start + 1, i => i.Keyword == "FROM");
        return Instructions[start..(end < 0 ? Instructions.Count : end)];
    }

    /// <summary>Replaces ${NAME} with the default of a global ARG.</summary>
    public string Expand(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, @"\$\{(\w+)\}", m => _args.GetValueOrDefault(m.Groups[1].Value, m.Value));

    public static Dockerfile Load(string name)
    {
        var instructions = new List<Instruction>();
        var current = "";
        foreach (var raw in File.ReadAllLines(Tool.DevopsPath("docker", name)))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && current.Length == 0))
            {
                continue;
            }

            current += (current.Length > 0 ? " " : "") + line.TrimEnd('\\').Trim();
            if (line.EndsWith('\\'))
            {
                continue;
            }

            if (current.Length > 0)
            {
                var space = current.IndexOf(' ', StringComparison.Ordinal);
                instructions.Add(new Instruction(current[..space].ToUpperInvariant(), current[(space + 1)..].Trim()));
            }

            current = "";
        }

        return new Dockerfile(instructions);
    }
}
