using System.Diagnostics;
using System.Text.RegularExpressions;
using Healthcare.Testing;

namespace Healthcare.DeploymentTests;

/// <summary>
/// No committed file holds a secret: every file git tracks is scanned for private keys, cloud and chat tokens,
/// passwords inside connection strings and random-looking values given to secret-named settings. Known
/// non-secrets are listed, each with a reason, in devops/security/secret-scan-allowlist.txt.
/// </summary>
public sealed partial class SecretScanTests
{
    private const string AllowListPath = "devops/security/secret-scan-allowlist.txt";

    [Fact]
    public async Task NoTrackedFileHoldsASecret()
    {
        var files = await TrackedFilesAsync();
        Assert.True(files.Count > 200, $"git ls-files listed only {files.Count} files");
        var allowed = AllowList();

        var findings = new List<Finding>();
        foreach (var file in files)
        {
            var path = Path.Combine(RepositoryPaths.Root, file);
            // The allow-list quotes what it allows.
            if (file == AllowListPath || !File.Exists(path) || new FileInfo(path).Length > 2_000_000)
            {
                continue;
            }

            var text = await File.ReadAllTextAsync(path);
            if (text.Contains('\0', StringComparison.Ordinal))
            {
                continue;
            }

            findings.AddRange(Scan(file, text));
        }

        var unexplained = findings.Where(f => !allowed.Contains((f.Path, f.Rule, f.Match))).ToList();
        Assert.True(unexplained.Count == 0, "Possible secrets (remove them, or add a reviewed line to " + AllowListPath + "):\n" +
            string.Join('\n', unexplained.Select(f => $"{f.Path}\t{f.Rule}\t{f.Match}")));
        var stale = allowed.Where(a => !findings.Any(f => (f.Path, f.Rule, f.Match) == a)).ToList();
        Assert.True(stale.Count == 0, "Allow-list entries that no longer match anything; remove them:\n" + string.Join('\n', stale));
    }

    [Theory]
    [InlineData("private-key", "key.pem", "-----BEGIN EC PRIVATE" + " KEY-----\nMHcCAQEE\n-----END EC PRIVATE" + " KEY-----")]
    [InlineData("private-key", "notes.md", "-----BEGIN OPENSSH PRIVATE" + " KEY-----")]
    [InlineData("aws-access-key", "deploy.yml", "aws_access_key_id: AKIA" + "Q3EGZ7X2KJ5LMN4P")]
    [InlineData("github-token", "ci.sh", "TOKEN=ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8")]
    [InlineData("slack-token", "notify.json", "{\"token\": \"xoxb-" + "123456789012-abcdefABCDEF\"}")]
    [InlineData("connection-password", "app.env", "DATABASE_URL=postgresql://healthcare:" + "s3cr3tP4ssw0rd@db:5432/healthcare")]
    [InlineData("connection-password", "values.yaml", "url: redis://:" + "Zk29fLq8xT@redis:6379")]
    [InlineData("assigned-secret", ".env.production", "JWT_SIGNING_KEY=" + "q8Zr3mX1vK9pT4wL7nB2cY6dF0gH5jS")]
    [InlineData("assigned-secret", "secret.yaml", "  password: \"" + "Vx9#kP2$mQ7!zR4wT8yL\"")]
    [InlineData("assigned-secret", "appsettings.json", "\"ApiSecret\": \"" + "4f9a8c7e6d5b4a3f2e1d0c9b8a7f6e5d\"")]
    public void ScannerFindsEachKindOfSecret(string rule, string file, string text)
    {
        Assert.Contains(Scan(file, text), f => f.Rule == rule);
    }

    [Theory]
    [InlineData(".env.example", "DATABASE_URL=postgresql://healthcare:CHANGE_ME@127.0.0.1:5432/healthcare")]
    [InlineData("run.sh", "export DATABASE_URL=\"postgresql://healthcare:$PG_PASSWORD@127.0.0.1:$pg_port/healthcare\"")]
    [InlineData("pg.sh", "printf 'postgresql://healthcare:%s@127.0.0.1:%s/healthcare\\n' \"$password\"")]
    [InlineData("README.md", "`postgresql://user:password@host:port/database`")]
    [InlineData("kustomization.yaml", "  - name: DATABASE_URL\n    valueFrom:\n      secretKeyRef:\n        name: healthcare-secrets")]
    [InlineData(".env.production", "DATA_ENCRYPTION_KEYS=")]
    [InlineData("compose.yml", "      JWT_SIGNING_KEYS_DIR: /run/secrets/jwt")]
    [InlineData("test.yml", "password: ${{ secrets.DB_PASSWORD }}")]
    public void PlaceholdersAndReferencesAreNotSecrets(string file, string text)
    {
        Assert.Empty(Scan(file, text));
    }

    private sealed record Finding(string Path, string Rule, string Match);

    private static IEnumerable<Finding> Scan(string file, string text)
    {
        foreach (Match m in PrivateKey().Matches(text))
        {
            yield return new(file, "private-key", m.Value);
        }

        foreach (var (rule, regex) in new[] { ("aws-access-key", AwsKey()), ("github-token", GitHubToken()), ("slack-token", SlackToken()) })
        {
            foreach (Match m in regex.Matches(text))
            {
                yield return new(file, rule, m.Value);
            }
        }

        foreach (Match m in ConnectionPassword().Matches(text))
        {
            if (!IsPlaceholder(m.Groups["password"].Value))
            {
                yield return new(file, "connection-password", m.Value);
            }
        }

        if (IsSettingsFile(file))
        {
            foreach (Match m in AssignedSecret().Matches(text))
            {
                var value = m.Groups["value"].Value.Trim('"', '\'');
                if (value.Length >= 16 && !IsPlaceholder(value) && Entropy(value) >= 3.5)
                {
                    yield return new(file, "assigned-secret", m.Value.Trim());
                }
            }
        }
    }

    /// <summary>Env, YAML, JSON and similar settings files, where a secret-named setting would hold a value.</summary>
    private static bool IsSettingsFile(string file)
    {
        var name = Path.GetFileName(file);
        return name.StartsWith(".env", StringComparison.Ordinal) || name.EndsWith(".env", StringComparison.Ordinal) ||
            Path.GetExtension(name) is ".yml" or ".yaml" or ".json" or ".toml" or ".ini" or ".conf" or ".cfg" or ".properties" or ".props";
    }

    /// <summary>A stand-in rather than a value: a shell or template variable, an upper-case name, a word like "password".</summary>
    private static bool IsPlaceholder(string value) =>
        value.Length == 0 || value.StartsWith('$') || value.StartsWith('<') || value.StartsWith('%') || value.StartsWith('{') ||
        value.Contains("...", StringComparison.Ordinal) || value.Contains("CHANGE_ME", StringComparison.OrdinalIgnoreCase) || value.Contains('*', StringComparison.Ordinal) ||
        UpperCaseName().IsMatch(value) ||
        value.ToLowerInvariant() is "password" or "pass" or "secret" or "changeme" or "change_me" or "example" or "placeholder";

    private static double Entropy(string value) =>
        -value.GroupBy(c => c).Select(g => (double)g.Count() / value.Length).Sum(p => p * Math.Log2(p));

    private static async Task<List<string>> TrackedFilesAsync()
    {
        var info = new ProcessStartInfo("git", "ls-files -z") { WorkingDirectory = RepositoryPaths.Root, RedirectStandardOutput = true, UseShellExecute = false };
        using var git = Process.Start(info)!;
        var output = await git.StandardOutput.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.Equal(0, git.ExitCode);
        return [.. output.Split('\0', StringSplitOptions.RemoveEmptyEntries)];
    }

    private static HashSet<(string Path, string Rule, string Match)> AllowList()
    {
        var entries = new HashSet<(string, string, string)>();
        foreach (var line in File.ReadAllLines(Path.Combine(RepositoryPaths.Root, AllowListPath)))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split('\t');
            Assert.True(fields.Length == 4 && fields[3].Trim().Length >= 10, $"allow-list line needs path, rule, match and a reason: {line}");
            entries.Add((fields[0], fields[1], fields[2]));
        }

        return entries;
    }

    [GeneratedRegex(@"-----BEGIN [A-Z ]*PRIVATE KEY-----")]
    private static partial Regex PrivateKey();

    [GeneratedRegex(@"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")]
    private static partial Regex AwsKey();

    [GeneratedRegex(@"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b")]
    private static partial Regex GitHubToken();

    [GeneratedRegex(@"\bxox[abposr]-[A-Za-z0-9-]{10,}|hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]+")]
    private static partial Regex SlackToken();

    [GeneratedRegex("""\b(?:postgres(?:ql)?|rediss?|amqps?|mongodb(?:\+srv)?|mysql|https?)://[^\s:/"'@]*:(?<password>[^\s@"'/]+)@""")]
    private static partial Regex ConnectionPassword();

    [GeneratedRegex("""(?im)^[ \t"'-]*[A-Za-z0-9_.]*(?:password|passwd|secret|token|api[_-]?key|private[_-]?key|signing[_-]?key|encryption[_-]?keys?|blind[_-]?index[_-]?key)[A-Za-z0-9_]*["']?[ \t]*[:=][ \t]*(?<value>"[^"\n]*"|'[^'\n]*'|[^\s"'#,]+)""")]
    private static partial Regex AssignedSecret();

    [GeneratedRegex("^[A-Z][A-Z0-9_]*$")]
    private static partial Regex UpperCaseName();
}
