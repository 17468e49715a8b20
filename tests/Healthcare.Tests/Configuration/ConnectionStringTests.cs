using Healthcare.Core.Configuration;
using Npgsql;

namespace Healthcare.Tests.Configuration;

public sealed class ConnectionStringTests
{
    [Fact]
    public void PostgresUrlIsTranslatedToNpgsqlSettings()
    {
        Assert.True(PostgresConnectionString.TryParse("postgresql://app%40svc:p%3Ass@db.internal:6543/clinic_db?sslmode=require&application_name=api", out var b, out _));

        Assert.Equal(("db.internal", 6543, "clinic_db", "app@svc", "p:ss"), (b.Host, b.Port, b.Database, b.Username, b.Password));
        Assert.Equal(SslMode.Require, b.SslMode);
        Assert.Equal("api", b.ApplicationName);
    }

    [Fact]
    public void PostgresSchemeAliasAndDefaultPortAreAccepted()
    {
        Assert.True(PostgresConnectionString.TryParse("postgres://u:p@localhost/db", out var b, out _));

        Assert.Equal(5432, b.Port);
    }

    [Fact]
    public void MultiHostUrlNamesEveryServerWithItsPortAndAsksForTheWritableOne()
    {
        Assert.True(PostgresConnectionString.TryParse("postgresql://app:p%2Cw@10.0.0.1:5433,db-b,10.0.0.3:6543/clinic_db?target_session_attrs=read-write", out var b, out _));

        Assert.Equal(("10.0.0.1:5433,db-b,10.0.0.3:6543", 5432, "clinic_db", "app", "p,w"), (b.Host, b.Port, b.Database, b.Username, b.Password));
        Assert.Equal("read-write", b.TargetSessionAttributes);
        // The application's data source builder makes a data source over all the servers of it.
        using var source = new NpgsqlDataSourceBuilder(b.ConnectionString).Build();
        Assert.IsType<NpgsqlMultiHostDataSource>(source);
    }

    [Fact]
    public void ACommaInTheCredentialsOfASingleHostUrlIsNotAHostList()
    {
        Assert.True(PostgresConnectionString.TryParse("postgresql://app:a,b@db.internal:6543/clinic_db", out var b, out _));

        Assert.Equal(("db.internal", 6543, "a,b"), (b.Host, b.Port, b.Password));
    }

    [Fact]
    public void MultiHostKeyValueConnectionStringIsAcceptedAsIs()
    {
        Assert.True(PostgresConnectionString.TryParse("Host=10.0.0.1:5433,10.0.0.2:5434;Database=x;Username=u;Password=p;Target Session Attributes=read-write", out var b, out _));

        Assert.Equal(("10.0.0.1:5433,10.0.0.2:5434", "read-write"), (b.Host, b.TargetSessionAttributes));
    }

    [Fact]
    public void KeyValueConnectionStringIsAcceptedAsIs()
    {
        Assert.True(PostgresConnectionString.TryParse("Host=10.0.0.5;Port=5433;Database=x;Username=u;Password=p", out var b, out _));

        Assert.Equal(("10.0.0.5", 5433, "x"), (b.Host, b.Port, b.Database));
    }

    [Theory]
    [InlineData(null, "is not set")]
    [InlineData("  ", "is not set")]
    [InlineData("postgresql://u:p@host:5432", "names no database")]
    [InlineData("postgresql://u:supersecret@host:5432/db?bogus_option=1", "unsupported query parameter 'bogus_option'")]
    [InlineData("Nonsense=1;Password=supersecret", "is neither a postgresql:// URL nor a valid key=value connection string")]
    [InlineData("Database=x", "names no host")]
    [InlineData("postgresql://u:supersecret@a:5432,,b:5432/db", "is not a valid postgresql:// URL")]
    [InlineData("postgresql://u:supersecret@a:5432,b:port/db", "is not a valid postgresql:// URL")]
    public void BadValuesAreExplainedWithoutEchoingSecrets(string? value, string expected)
    {
        Assert.False(PostgresConnectionString.TryParse(value, out _, out var error));

        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("supersecret", error, StringComparison.Ordinal);
    }

    [Fact]
    public void RedisUrlWithPasswordAndDatabase()
    {
        Assert.True(RedisConnection.TryParse("redis://:s3cret@cache:6380/2", out var options, out _));

        Assert.Equal("cache:6380", options.EndPoints.Single().ToString()?.Replace("Unspecified/", "", StringComparison.Ordinal));
        Assert.Equal("s3cret", options.Password);
        Assert.Null(options.User);
        Assert.Equal(2, options.DefaultDatabase);
        Assert.False(options.Ssl);
        Assert.False(options.AbortOnConnectFail);
        // While disconnected, commands fail at once rather than wait in a queue (ADR 37).
        Assert.Equal(StackExchange.Redis.BacklogPolicy.FailFast, options.BacklogPolicy);
    }

    [Fact]
    public void RedisTlsUrlWithUser()
    {
        Assert.True(RedisConnection.TryParse("rediss://app:pw@cache.example.com", out var options, out _));

        Assert.True(options.Ssl);
        Assert.Equal(("app", "pw"), (options.User, options.Password));
    }

    [Fact]
    public void StackExchangeConfigurationStringIsAccepted()
    {
        Assert.True(RedisConnection.TryParse("cache:6379,password=pw,ssl=false", out var options, out _));

        Assert.Equal("pw", options.Password);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("redis://cache:6379/notanumber")]
    public void BadRedisValuesAreRejected(string? value) =>
        Assert.False(RedisConnection.TryParse(value, out _, out _));
}
