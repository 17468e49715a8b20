using Healthcare.Core.Configuration;
using Healthcare.Testing;
using Npgsql;

namespace Healthcare.DeploymentTests.Scripts;

/// <summary>
/// devops/scripts/backup: the test database with the demo data is backed up as the read-only backup role, restored
/// as the owner into a fresh database and compared table by table, owner and grants included, with the original;
/// restore refuses to overwrite and catches a wrong copy.
/// </summary>
public sealed class BackupRestoreTests(DemoDataSource source) : IClassFixture<DemoDataSource>, IDisposable
{
    private const string Backup = "devops/scripts/backup/backup.sh";
    private const string Restore = "devops/scripts/backup/restore.sh";

    private readonly string _directory = Directory.CreateTempSubdirectory("hb-backup-test-").FullName;

    private string SourceUrl => source.DatabaseUrl;

    private string BackupDirectory => Path.Combine(_directory, "backups");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>What the backups run with: the source database, as the read-only backup role.</summary>
    private Dictionary<string, string?> Environment() => new()
    {
        ["DATABASE_URL"] = TestServers.BackupUrl(SourceUrl),
        ["PG_BIN"] = System.Environment.GetEnvironmentVariable("TEST_PG_BIN"),
    };

    /// <summary>What the restores run with: the owner's credentials, as make restore does.</summary>
    private Dictionary<string, string?> OwnerEnvironment() => new(Environment())
    {
        ["DATABASE_URL"] = TestServers.OwnerUrl(SourceUrl),
    };

    private string NewTarget() => source.NewTarget();

    private async Task<string> BackUpAsync(params string[] extra)
    {
        var result = await Script.RunAsync(Backup, ["--output-dir", BackupDirectory, .. extra], Environment());
        Assert.True(result.ExitCode == 0, result.ToString());
        return Directory.GetFiles(BackupDirectory, "*.dump").Order(StringComparer.Ordinal).Last();
    }

    [Fact]
    public async Task ABackupRestoredIntoAFreshDatabaseHasTheSameContents()
    {
        var dump = await BackUpAsync();
        var target = NewTarget();

        var restore = await Script.RunAsync(Restore, [dump, target], OwnerEnvironment());

        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Contains($"restored {dump} into {target} and verified", restore.Stdout);
        Assert.Matches(@"verified \d+ tables \(\d+ rows\) and 7 checksums", restore.Stdout);

        // The copy belongs to the owner and grants the runtime and read-only roles what the original grants them.
        Assert.Equal(TestServers.OwnerRole, await DatabaseOwnerAsync(target));
        var grants = await OwnersAndGrantsAsync(SourceUrl);
        Assert.Equal(grants, await OwnersAndGrantsAsync(TestServers.DatabaseUrl(target)));
        Assert.Contains(grants, g => g.StartsWith("table public.users healthcare ", StringComparison.Ordinal) && g.Contains("healthcare_runtime=arwd/", StringComparison.Ordinal));
        Assert.Contains(grants, g => g.StartsWith("table public.audit_events healthcare ", StringComparison.Ordinal) && g.Contains("healthcare_runtime=ar/", StringComparison.Ordinal));
        Assert.Contains(grants, g => g.StartsWith("table public.patients healthcare ", StringComparison.Ordinal) && g.Contains("healthcare_readonly=r/", StringComparison.Ordinal));

        // Independent of the scripts' own verification: every table, row for row.
        var original = await TableContentsAsync(SourceUrl);
        var copy = await TableContentsAsync(TestServers.DatabaseUrl(target));
        Assert.Equal(original.Keys.Order(), copy.Keys.Order());
        foreach (var (table, contents) in original)
        {
            Assert.True(contents == copy[table], $"{table} differs after the restore");
        }

        // The demo data really was there to be compared.
        Assert.True(original["public.users"].Rows >= 5);
        Assert.True(original["public.clinical_notes"].Rows > 0);
        Assert.True(original["public.patients"].Rows > 0);
        Assert.True(original["public.__ef_migrations_history"].Rows > 0);

        // Backups hold patient data: only their owner may read them.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dump));
    }

    [Fact]
    public async Task TheBackupRoleReadsEveryTableAndChangesNothing()
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(TestServers.BackupUrl(SourceUrl)).ConnectionString);
        await connection.OpenAsync();

        Assert.Equal(
            "healthcare_backup super=false createdb=false createrole=false",
            await ScalarAsync(connection, "SELECT format('%s super=%s createdb=%s createrole=%s', rolname, rolsuper::text, rolcreatedb::text, rolcreaterole::text) FROM pg_roles WHERE rolname = current_user"));
        var tables = await ScalarAsync(connection, TablesOfTheBackend + " SELECT count(*)::text FROM tables");
        Assert.True(int.Parse(tables, System.Globalization.CultureInfo.InvariantCulture) > 30, tables);
        Assert.Equal("", await ScalarAsync(connection, TablesOfTheBackend + """
             SELECT coalesce(string_agg(name, ', '), '') FROM tables
              WHERE NOT has_table_privilege(oid, 'SELECT')
                 OR has_table_privilege(oid, 'INSERT') OR has_table_privilege(oid, 'UPDATE')
                 OR has_table_privilege(oid, 'DELETE') OR has_table_privilege(oid, 'TRUNCATE')
            """));

        foreach (var write in new[]
        {
            "INSERT INTO clinics SELECT * FROM clinics LIMIT 1",
            "UPDATE users SET display_name = display_name",
            "DELETE FROM hangfire.job",
            "TRUNCATE log_events",
            "CREATE TABLE public.backup_was_here (id int)",
            "SELECT log_events_create_partitions(current_date, 1)",
        })
        {
            await using var command = new NpgsqlCommand(write, connection);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());
            Assert.True(refused.SqlState == PostgresErrorCodes.InsufficientPrivilege, $"{write}: {refused.SqlState} {refused.MessageText}");
        }
    }

    [Fact]
    public async Task ASuperuserRestoresInTheNameOfTheOwnerItNames()
    {
        var dump = await BackUpAsync();
        var target = NewTarget();
        var environment = Environment();
        environment["DATABASE_URL"] = TestServers.PostgresAdminUrl;

        var restore = await Script.RunAsync(Restore, ["--owner", TestServers.OwnerRole, dump, target], environment);

        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal(TestServers.OwnerRole, await DatabaseOwnerAsync(target));
        Assert.Equal(await OwnersAndGrantsAsync(SourceUrl), await OwnersAndGrantsAsync(TestServers.DatabaseUrl(target)));
    }

    [Fact]
    public async Task RestoreNeverOverwritesAnExistingDatabaseUnlessForced()
    {
        var dump = await BackUpAsync();
        var target = NewTarget();
        Assert.Equal(0, (await Script.RunAsync(Restore, [dump, target], OwnerEnvironment())).ExitCode);

        var again = await Script.RunAsync(Restore, [dump, target], OwnerEnvironment());
        Assert.Equal(1, again.ExitCode);
        Assert.Contains($"database {target} already exists", again.Stderr);

        var live = PostgresConnectionString.Parse(SourceUrl).Database!;
        var overLive = await Script.RunAsync(Restore, ["--force", dump, live], OwnerEnvironment());
        Assert.Equal(1, overLive.ExitCode);
        Assert.Contains("is the database of DATABASE_URL", overLive.Stderr);

        var forced = await Script.RunAsync(Restore, ["--force", dump, target], OwnerEnvironment());
        Assert.True(forced.ExitCode == 0, forced.ToString());
        Assert.Contains($"dropping the existing database {target}", forced.Stdout);
    }

    [Fact]
    public async Task RestoreReportsACopyThatDoesNotMatchTheManifest()
    {
        var dump = await BackUpAsync();
        var manifest = Path.ChangeExtension(dump, ".manifest");
        var lines = File.ReadAllLines(manifest);
        var users = Array.FindIndex(lines, l => l.StartsWith("rows\tpublic.users\t", StringComparison.Ordinal));
        Assert.True(users >= 0, string.Join('\n', lines));
        lines[users] = "rows\tpublic.users\t999999";
        File.WriteAllLines(manifest, lines);

        var result = await Script.RunAsync(Restore, [dump, NewTarget()], OwnerEnvironment());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("manifest:  rows\tpublic.users\t999999", result.Stderr);
        Assert.Contains("verification failed", result.Stderr);
    }

    [Fact]
    public async Task RestoreRefusesADamagedDumpFile()
    {
        var dump = await BackUpAsync();
        await using (var file = File.OpenWrite(dump))
        {
            file.Seek(-16, SeekOrigin.End);
            file.Write(new byte[16]);
        }

        var result = await Script.RunAsync(Restore, [dump, NewTarget()], OwnerEnvironment());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not match its checksum", result.Stderr);
    }

    [Fact]
    public async Task BackupKeepsTheNewestBackupsAndHandsEachToTheUploadCommand()
    {
        var uploads = Directory.CreateDirectory(Path.Combine(_directory, "uploaded")).FullName;
        var upload = $"cp \"$1\" \"$2\" \"$3\" '{uploads}/'";

        for (var i = 0; i < 3; i++)
        {
            await BackUpAsync("--keep", "2", "--upload-command", upload);
        }

        var kept = Directory.GetFiles(BackupDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(6, kept.Count);
        Assert.Equal(2, kept.Count(f => f!.EndsWith(".dump", StringComparison.Ordinal)));
        Assert.Equal(2, kept.Count(f => f!.EndsWith(".manifest", StringComparison.Ordinal)));
        Assert.All(kept, f => Assert.Matches(@"^healthcare-\d{8}T\d{6}Z\.(dump|manifest|sha256)$", f));
        Assert.Equal(9, Directory.GetFiles(uploads).Length);

        var failing = await Script.RunAsync(Backup, ["--output-dir", BackupDirectory, "--upload-command", "exit 7"], Environment());
        Assert.Equal(1, failing.ExitCode);
        Assert.Contains("the upload command failed", failing.Stderr);
    }

    [Fact]
    public async Task BackupFailsWithOneLineWhenTheDatabaseIsUnreachable()
    {
        var environment = Environment();
        environment["DATABASE_URL"] = TestServers.UnreachablePostgresUrl;

        var result = await Script.RunAsync(Backup, ["--output-dir", BackupDirectory], environment);

        Assert.Equal(1, result.ExitCode);
        Assert.EndsWith("backup: cannot connect to the database of DATABASE_URL\n", result.Stderr);
        Assert.Empty(Directory.Exists(BackupDirectory) ? Directory.GetFiles(BackupDirectory) : []);
    }

    [Fact]
    public async Task TheScriptsWorkFromOneFlatFolderAsTheCronJobMountsThem()
    {
        var mounted = Directory.CreateDirectory(Path.Combine(_directory, "configmap")).FullName;
        foreach (var file in new[] { "backup.sh", "restore.sh", "pg.sh" })
        {
            File.Copy(Script.PathOf($"devops/scripts/backup/{file}"), Path.Combine(mounted, file));
        }

        var result = await Script.RunAsync(Path.Combine(mounted, "backup.sh"), ["--output-dir", BackupDirectory, "--keep", "14"], Environment());

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(Directory.GetFiles(BackupDirectory, "*.dump"));
    }

    private sealed record TableContents(long Rows, string Checksum);

    /// <summary>A CTE <c>tables</c>: the backend's tables (schemas public and hangfire), with oid and name.</summary>
    private const string TablesOfTheBackend = """
        WITH tables AS (
            SELECT c.oid, n.nspname || '.' || c.relname AS name
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('public', 'hangfire'))
        """;

    private static async Task<string> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<string> DatabaseOwnerAsync(string database)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(TestServers.PostgresAdminUrl).ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = @name", connection);
        command.Parameters.AddWithValue("name", database);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>"kind name owner acl" of the backend's schemas, tables, sequences, views and functions.</summary>
    private static async Task<List<string>> OwnersAndGrantsAsync(string databaseUrl)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(databaseUrl).ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT 'schema ' || nspname || ' ' || pg_get_userbyid(nspowner) || ' ' || coalesce(nspacl::text, '')
              FROM pg_namespace WHERE nspname IN ('public', 'hangfire')
            UNION ALL
            SELECT CASE c.relkind WHEN 'S' THEN 'sequence ' WHEN 'v' THEN 'view ' ELSE 'table ' END
                   || n.nspname || '.' || c.relname || ' ' || pg_get_userbyid(c.relowner) || ' ' || coalesce(c.relacl::text, '')
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind IN ('r', 'p', 'S', 'v', 'm') AND n.nspname IN ('public', 'hangfire')
            UNION ALL
            SELECT 'function ' || p.oid::regprocedure::text || ' ' || pg_get_userbyid(p.proowner) || ' ' || coalesce(p.proacl::text, '')
              FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname IN ('public', 'hangfire')
               AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
            ORDER BY 1
            """, connection);
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return lines;
    }

    /// <summary>Row count and an order-independent digest of every table of the database.</summary>
    private static async Task<Dictionary<string, TableContents>> TableContentsAsync(string databaseUrl)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(databaseUrl).ConnectionString);
        await connection.OpenAsync();
        await using (var settings = new NpgsqlCommand("SET TIME ZONE 'UTC'; SET extra_float_digits = 3", connection))
        {
            await settings.ExecuteNonQueryAsync();
        }

        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            """
            SELECT format('%I.%I', schemaname, tablename), schemaname || '.' || tablename
              FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
            """, connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0) + "\t" + reader.GetString(1));
            }
        }

        var contents = new Dictionary<string, TableContents>();
        foreach (var entry in tables)
        {
            var (quoted, name) = (entry.Split('\t')[0], entry.Split('\t')[1]);
            await using var command = new NpgsqlCommand(
                $"SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {quoted} t", connection);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            contents[name] = new TableContents(reader.GetInt64(0), reader.GetString(1));
        }

        return contents;
    }
}

/// <summary>One database with the demo data, shared by the backup tests, and the databases they restore into.</summary>
public sealed class DemoDataSource : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hb-backup-source-").FullName;
    private readonly System.Collections.Concurrent.ConcurrentBag<string> _restored = [];

    /// <summary>The source database, with the superuser's credentials; <see cref="TestServers"/> makes the roles' URLs.</summary>
    public string DatabaseUrl { get; private set; } = "";

    public string NewTarget()
    {
        var name = $"hb_restored_{Guid.NewGuid():N}"[..30];
        _restored.Add(name);
        return name;
    }

    /// <summary>As in a deployment: the roles exist, and the owner owns the database and migrates and seeds it.</summary>
    public Task InitializeAsync() => Fixture.StartOrDisposeAsync(StartAsync, DisposeAsync);

    private async Task StartAsync()
    {
        DatabaseUrl = await TestServers.CreateDatabaseAsync("backup_source");
        await DemoDatabase.MigrateAndSeedAsync(HostProcess.ApiSettings(DatabaseUrl), _directory);
    }

    public async Task DisposeAsync()
    {
        foreach (var name in _restored)
        {
            await TestServers.DropDatabaseAsync(TestServers.DatabaseUrl(name));
        }

        await TestServers.DropDatabaseAsync(DatabaseUrl);
        Directory.Delete(_directory, recursive: true);
    }
}
