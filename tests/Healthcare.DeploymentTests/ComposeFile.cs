using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Healthcare.DeploymentTests;

/// <summary>A Compose file read the way Compose reads it: YAML with merge keys (<c>&lt;&lt;: *app</c>) resolved.</summary>
public sealed partial class ComposeFile
{
    private readonly Dictionary<object, object?> _root;

    private ComposeFile(string path, Dictionary<object, object?> root)
    {
        Path = path;
        _root = root;
    }

    public string Path { get; }

    public string Directory => System.IO.Path.GetDirectoryName(Path)!;

    public static ComposeFile Load(string name)
    {
        var path = Tool.DevopsPath("docker", name);
        using var reader = new StreamReader(path);
        var root = new DeserializerBuilder().Build().Deserialize<Dictionary<object, object?>>(new MergingParser(new Parser(reader)));
        return new ComposeFile(path, root);
    }

    public IReadOnlyDictionary<string, Service> Services =>
        Map(_root["services"]).ToDictionary(s => (string)s.Key, s => new Service((string)s.Key, Map(s.Value)));

    public Dictionary<object, object?> Networks => Map(_root["networks"]);

    public static Dictionary<object, object?> Map(object? value) =>
        value as Dictionary<object, object?> ?? [];

    public static List<object?> List(object? value) => value as List<object?> ?? [];

    public sealed class Service(string name, Dictionary<object, object?> body)
    {
        public string Name { get; } = name;

        public object? this[string key] => body.GetValueOrDefault(key);

        public bool Has(string key) => body.ContainsKey(key);

        public string? Image => this["image"] as string;

        public IReadOnlyList<string> Profiles => List(this["profiles"]).Select(p => (string)p!).ToList();

        public IReadOnlyList<string> Ports => List(this["ports"]).Select(p => p?.ToString() ?? "").ToList();

        public IReadOnlyList<string> Networks => this["networks"] switch
        {
            List<object?> list => list.Select(n => (string)n!).ToList(),
            Dictionary<object, object?> map => map.Keys.Select(k => (string)k).ToList(),
            _ => [],
        };

        /// <summary>The command as one string (list form joined by spaces).</summary>
        public string Command => this["command"] switch
        {
            string s => s,
            List<object?> list => string.Join(' ', list),
            _ => "",
        };

        /// <summary>env_file entries (short or long form), relative to the Compose file's folder.</summary>
        public IReadOnlyList<string> EnvFiles => this["env_file"] switch
        {
            string s => [s],
            List<object?> list => list.Select(e => e is string s ? s : (string)Map(e)["path"]!).ToList(),
            _ => [],
        };

        public Dictionary<string, string> Environment => this["environment"] switch
        {
            Dictionary<object, object?> map => map.ToDictionary(e => (string)e.Key, e => e.Value?.ToString() ?? ""),
            List<object?> list => list.Select(e => ((string)e!).Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : ""),
            _ => [],
        };

        /// <summary>Short-syntax bind mounts and volumes as (source, target).</summary>
        public IReadOnlyList<(string Source, string Target)> Volumes => List(this["volumes"])
            .Select(v => ((string)v!).Split(':'))
            .Select(p => (p[0], p[1]))
            .ToList();

        public string? DependsOnCondition(string other) =>
            Map(this["depends_on"]).TryGetValue(other, out var dependency) ? Map(dependency).GetValueOrDefault("condition") as string : null;

        public Dictionary<object, object?> Limits => Map(Map(Map(this["deploy"])["resources"]).GetValueOrDefault("limits"));
    }

    /// <summary>Reads an env file as Compose does: KEY=VALUE lines, comments and blank lines skipped, values taken literally.</summary>
    public static Dictionary<string, string> ReadEnvFile(string path) =>
        File.ReadAllLines(path)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2 && VariableName().IsMatch(parts[0]))
            .GroupBy(parts => parts[0])
            .ToDictionary(g => g.Key, g => g.Last()[1]);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariableName();
}
