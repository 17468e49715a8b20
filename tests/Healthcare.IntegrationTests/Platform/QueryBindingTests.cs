using System.Net;
using Healthcare.Core.Identity;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Platform;

public sealed class QueryBindingTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task MissingOrMalformedQueryParametersAre400NamingTheParameterWithoutEchoingTheValue()
    {
        var clinic = await api.CreateClinicAsync();
        var client = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, clinic.Id));

        var missing = await client.GetAsync($"/api/v1/clinics/{clinic.Id}/practitioners/{Guid.NewGuid()}/availability?appointmentTypeId={Guid.NewGuid()}&to=2027-01-01");
        var malformed = await client.GetAsync($"/api/v1/clinics/{clinic.Id}/appointments?from=tuesday-ish");

        await ProblemAssert.FieldAsync(missing, HttpStatusCode.BadRequest, "from");
        var problem = await ProblemAssert.FieldAsync(malformed, HttpStatusCode.BadRequest, "from");
        Assert.DoesNotContain("tuesday-ish", problem.ToString(), StringComparison.Ordinal);
    }
}
