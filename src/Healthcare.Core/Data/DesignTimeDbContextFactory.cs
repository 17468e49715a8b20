using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Healthcare.Core.Data;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running database.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<HealthcareDbContext>
{
    public HealthcareDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<HealthcareDbContext>();
        DataServices.ConfigureDbContext(options, "Host=localhost;Database=design_time");
        return new HealthcareDbContext(options.Options);
    }
}
