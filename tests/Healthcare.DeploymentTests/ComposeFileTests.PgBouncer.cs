using System.Globalization;
using System.Text.RegularExpressions;
using Healthcare.Testing;

namespace Healthcare.DeploymentTests;

/// <summary>The production stack's connection pooling (ADR 49).</summary>
public sealed partial class ComposeFileTests
{
    [Fact]
    public async Task InProductionTheApiAndTheWorkerReachPostgresThroughPgBouncerInTransactionMode()
    {
        var compose = ComposeFile.Load(Prod);
        using var secrets = await GenerateSecretsAsync("prod");
        var appPassword = ComposeFile.ReadEnvFile(Path.Combine(secrets.Path, "postgres.env"))["HEALTHCARE_APP_PASSWORD"];

        foreach (var name in AppServices.Where(n => n != "migrate"))
        {
            var settings = ResolveEnvironment(compose, compose.Services[name], secrets.Path, "prod");
            Assert.Contains("@pgbouncer:6432/healthcare", settings["DATABASE_URL"], StringComparison.Ordinal);
            // LISTEN needs a session of its own: straight to PostgreSQL.
            Assert.Contains("@postgres:5432/healthcare", settings["DATABASE_LISTEN_URL"], StringComparison.Ordinal);
            // The image's PgBouncer tracks prepared statements, so Npgsql may prepare them.
            Assert.NotEqual("0", settings.GetValueOrDefault("DB_AUTO_PREPARE"));
        }

        // The migrator (DDL, long transactions) and backups connect directly.
        Assert.Contains("@postgres:5432/", ResolveEnvironment(compose, compose.Services["migrate"], secrets.Path, "prod")["DATABASE_URL"], StringComparison.Ordinal);
        Assert.Contains("@postgres:5432/", ResolveEnvironment(compose, compose.Services["backup"], secrets.Path, "prod")["DATABASE_URL"], StringComparison.Ordinal);

        var pgbouncer = compose.Services["pgbouncer"];
        Assert.Equal(["backend"], pgbouncer.Networks);
        var version = Version.Parse(DefaultOf().Replace(pgbouncer.Image!, "$1").Split(':')[1].Split('-')[0]);
        Assert.True(version >= new Version(1, 21), $"PgBouncer {version} cannot carry prepared statements in transaction mode");
        var (source, target) = Assert.Single(pgbouncer.Volumes);
        Assert.Equal("/etc/pgbouncer/pgbouncer.ini", target);
        var ini = PgBouncerIni.Read(Path.GetFullPath(Path.Combine(compose.Directory, source)));
        Assert.Equal("transaction", ini["pool_mode"]);
        Assert.True(int.Parse(ini["max_prepared_statements"], CultureInfo.InvariantCulture) > 0);
        Assert.Equal("healthcare", ini.Databases["healthcare"]["dbname"]);
        Assert.Equal("postgres", ini.Databases["healthcare"]["host"]);
        Assert.Contains(ini["auth_file"], string.Join(' ', ComposeFile.List(pgbouncer["entrypoint"])), StringComparison.Ordinal);
        Assert.Equal(appPassword, ResolveEnvironment(compose, pgbouncer, secrets.Path, "prod")["HEALTHCARE_APP_PASSWORD"]);
    }
}
