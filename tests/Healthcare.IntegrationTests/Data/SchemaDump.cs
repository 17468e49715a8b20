using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Data;

/// <summary>
/// A migrated database's schema as <c>pg_dump --schema-only</c> writes it, owners and privileges included (the
/// grants of ADR 42 are part of the schema), with what differs from run to run taken out: pg_dump's version lines
/// and <c>\restrict</c> keys, the dates of the stored log's day partitions (made for "today"), and the order of a
/// table's columns, which follows the order in which migrations added them and which no query relies on (every
/// COPY and INSERT names its columns).
/// </summary>
public static partial class SchemaDump
{
    /// <summary>The reference: the schema that the migrations created before they were squashed into one (ADR 46).</summary>
    public static readonly string ReferencePath =
        Path.Combine(RepositoryPaths.Root, "tests", "Healthcare.IntegrationTests", "Data", "Schema", "baseline-schema.sql");

    /// <summary>Partitions exist for today and the two days after it (the migration makes them), bounded by the day after.</summary>
    private const int PartitionDays = 3;

    public static async Task<string> DumpAsync(string databaseUrl, DateOnly today)
    {
        var pgBin = Environment.GetEnvironmentVariable("TEST_PG_BIN") is { Length: > 0 } bin
            ? bin
            : throw new InvalidOperationException("TEST_PG_BIN is not set. Run the tests with `make test`, which sets it.");
        var info = new ProcessStartInfo(Path.Combine(pgBin, "pg_dump"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--schema-only", "--no-password", "--dbname", databaseUrl })
        {
            info.ArgumentList.Add(argument);
        }

        // Partition bounds are timestamps: written in UTC whatever the machine's zone.
        info.Environment["PGTZ"] = "UTC";
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"pg_dump failed ({process.ExitCode}): {await error}");
        return Normalize(await output, today);
    }

    /// <summary>Fails with the first differing lines when <paramref name="actual"/> is not the reference.</summary>
    public static void AssertMatchesReference(string actual)
    {
        if (Environment.GetEnvironmentVariable("UPDATE_SCHEMA_REFERENCE") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(ReferencePath)!);
            File.WriteAllText(ReferencePath, actual, new UTF8Encoding(false));
        }

        Assert.True(File.Exists(ReferencePath), $"{ReferencePath} is missing.");
        var expected = File.ReadAllText(ReferencePath);
        Assert.True(expected == actual,
            $"The migrated schema differs from {ReferencePath}; if the change is intended, rewrite it with UPDATE_SCHEMA_REFERENCE=1 and review the diff:\n"
            + FirstDifference(expected, actual));
    }

    private static string Normalize(string dump, DateOnly today)
    {
        for (var day = 0; day <= PartitionDays; day++)
        {
            var date = today.AddDays(day);
            dump = dump
                .Replace($"log_events_p{date:yyyyMMdd}", $"log_events_p<day {day}>", StringComparison.Ordinal)
                .Replace($"'{date:yyyy-MM-dd} 00:00:00+00'", $"'<day {day}> 00:00:00+00'", StringComparison.Ordinal);
        }

        var lines = dump.Split('\n')
            .Where(line => !line.StartsWith("-- Dumped from database version", StringComparison.Ordinal)
                && !line.StartsWith("-- Dumped by pg_dump version", StringComparison.Ordinal)
                && !RestrictLine().IsMatch(line))
            .ToList();
        return string.Join('\n', SortColumns(lines));
    }

    /// <summary>The column and constraint lines of each <c>CREATE TABLE</c> in ordinal order.</summary>
    private static IEnumerable<string> SortColumns(List<string> lines)
    {
        for (var i = 0; i < lines.Count; i++)
        {
            yield return lines[i];
            if (!lines[i].StartsWith("CREATE TABLE ", StringComparison.Ordinal) || !lines[i].EndsWith(" (", StringComparison.Ordinal))
            {
                continue;
            }

            var end = lines.FindIndex(i + 1, line => line.StartsWith(')'));
            var members = lines[(i + 1)..end].Select(line => line.TrimEnd(',')).Order(StringComparer.Ordinal).ToList();
            for (var m = 0; m < members.Count; m++)
            {
                yield return m < members.Count - 1 ? members[m] + "," : members[m];
            }

            i = end - 1;
        }
    }

    private static string FirstDifference(string expected, string actual)
    {
        var left = expected.Split('\n');
        var right = actual.Split('\n');
        for (var i = 0; i < Math.Max(left.Length, right.Length); i++)
        {
            if (i >= left.Length || i >= right.Length || left[i] != right[i])
            {
                var context = new StringBuilder($"first difference at line {i + 1}:\n");
                for (var j = Math.Max(0, i - 3); j < i + 8; j++)
                {
                    var l = j < left.Length ? left[j] : "<end>";
                    var r = j < right.Length ? right[j] : "<end>";
                    context.Append(l == r ? $"  {l}\n" : $"- {l}\n+ {r}\n");
                }

                return context.ToString();
            }
        }

        return "";
    }

    [GeneratedRegex(@"^\\(un)?restrict ")]
    private static partial Regex RestrictLine();
}
