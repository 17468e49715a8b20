using Healthcare.ServiceDefaults.Hosting;
using Microsoft.Extensions.Options;

namespace Healthcare.Tests.Configuration;

public sealed class StartupGuardTests
{
    [Fact]
    public void ValidationFailuresBecomeOneLine()
    {
        var exception = new OptionsValidationException("x", typeof(object), ["DATABASE_URL is not set", "DB_POOL_MAX must be between 1 and 1000"]);

        Assert.Equal("DATABASE_URL is not set; DB_POOL_MAX must be between 1 and 1000", StartupGuard.Describe(exception));
    }

    [Fact]
    public void BinderConversionErrorNamesTheVariableButNotTheValue()
    {
        var exception = new InvalidOperationException(
            "Failed to convert configuration value 'hunter2' at 'DB_POOL_MAX' to type 'System.Int32'.", new FormatException());

        Assert.Equal("DB_POOL_MAX must be a whole number", StartupGuard.Describe(exception));
    }

    [Fact]
    public void OtherExceptionsAreNotConfigurationErrors() =>
        Assert.Null(StartupGuard.Describe(new InvalidOperationException("something else")));
}
