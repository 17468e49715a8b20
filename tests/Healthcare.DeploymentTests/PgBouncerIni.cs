namespace Healthcare.DeploymentTests;

/// <summary>A pgbouncer.ini as PgBouncer reads it: the [pgbouncer] settings and the [databases] entries.</summary>
public sealed class PgBouncerIni
{
    private readonly Dictionary<string, string> _settings;

    private PgBouncerIni(Dictionary<string, string> settings, Dictionary<string, Dictionary<string, string>> databases)
    {
        _settings = settings;
        Databases = databases;
    }

    /// <summary>Each database entry's connection settings (host, port, dbname, ...).</summary>
    public IReadOnlyDictionary<string, Dictionary<string, string>> Databases { get; }

    public string this[string key] => _settings.TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"pgbouncer.ini sets no {key}");

    public int Number(string key) => int.Parse(this[key], System.Globalization.CultureInfo.InvariantCulture);

    public static PgBouncerIni Read(string path)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        var databases = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var section = "";
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is ';' or '#')
            {
                continue;
            }

            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                section = line[1..^1];
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            Assert.True(equals > 0, $"{path}: cannot read '{line}'");
            var (key, value) = (line[..equals].Trim(), line[(equals + 1)..].Trim());
            if (section == "databases")
            {
                databases[key] = value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                    .Select(pair => pair.Split('=', 2))
                    .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
            }
            else if (section == "pgbouncer")
            {
                settings[key] = value;
            }
        }

        return new PgBouncerIni(settings, databases);
    }
}
