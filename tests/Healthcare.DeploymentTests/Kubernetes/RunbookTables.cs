using Healthcare.Testing;

namespace Healthcare.DeploymentTests.Kubernetes;

/// <summary>Reads the tables of docs/operations/kubernetes.md that the manifests must agree with.</summary>
public static class RunbookTables
{
    public const string Runbook = "docs/operations/kubernetes.md";

    /// <summary>The first Markdown table after the heading <paramref name="heading"/>, as rows keyed by column title.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Table(string heading)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, Runbook));
        var start = Array.FindIndex(lines, l => l.TrimStart('#', ' ') == heading && l.StartsWith('#'));
        Assert.True(start >= 0, $"{Runbook} has no heading '{heading}'");
        var table = lines.Skip(start + 1).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')).ToList();
        Assert.True(table.Count > 2, $"{Runbook}: no table under '{heading}'");

        var header = Cells(table[0]);
        return table.Skip(2)
            .Select(row => (IReadOnlyDictionary<string, string>)header.Zip(Cells(row)).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal))
            .ToList();
    }

    /// <summary>The size of one workload: a fixed count ("1") or an autoscaling range ("10-500").</summary>
    public static (int Min, int Max) Range(string cell)
    {
        var parts = cell.Split('-', StringSplitOptions.TrimEntries);
        return parts.Length switch
        {
            1 => (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture)),
            2 => (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)),
            _ => throw new FormatException($"'{cell}' is neither a count nor a range"),
        };
    }

    /// <summary>Every `code span` of a cell, e.g. the Secret keys of a row.</summary>
    public static IEnumerable<string> CodeSpans(string cell) =>
        System.Text.RegularExpressions.Regex.Matches(cell, "`([^`]+)`").Select(m => m.Groups[1].Value);

    private static string[] Cells(string row) => row.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
}
