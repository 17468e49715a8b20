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
