using System.Text.RegularExpressions;
using Healthcare.Core.Identity;

namespace Healthcare.Tests.Identity;

public sealed partial class PermissionsDocumentTests
{
    [Fact]
    public void RolesDocumentShowsExactlyThePermissionTableInCode()
    {
        var path = Path.Combine(FindRoot(), "docs", "security", "roles.md");
        var lines = File.ReadAllLines(path);
        var header = lines.First(l => l.StartsWith("| Permission |", StringComparison.Ordinal));
        var roles = Cells(header).Skip(2).Select(c => c.Trim('`')).ToList();
        var documented = lines.Where(l => PermissionRow().IsMatch(l))
            .ToDictionary(l => Cells(l)[0].Trim('`'), Cells);

        Assert.Equal(Permissions.All.Order(), documented.Keys.Order());
        foreach (var (permission, cells) in documented)
        {
            for (var i = 0; i < roles.Count; i++)
            {
                var expected = roles[i] == ClinicRoles.SuperAdmin || Permissions.Grants(roles[i], permission);
                Assert.True(expected == (cells[i + 2] == "yes"), $"{permission} for {roles[i]}: code says {expected}");
            }
        }
    }

    private static string[] Cells(string row) => row.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "HealthcareBackend.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("repository root");
    }

    [GeneratedRegex(@"^\| `[a-z:-]+` \|")]
    private static partial Regex PermissionRow();
}
