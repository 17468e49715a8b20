using System.Net;
using System.Net.Http.Json;
using Healthcare.Api.Features.Audit;
using Healthcare.Core.Audit;
using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Platform;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Identity;

public sealed class AuditQueryTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task ClinicAdminPagesThroughTheirClinicsTrailNewestFirst()
    {
        var clinic = await api.CreateClinicAsync();
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id));
        for (var i = 0; i < 5; i++)
        {
            var invite = await admin.PostAsJsonAsync($"/api/v1/clinics/{clinic.Id}/invitations", new { email = $"staff{i}.{Guid.NewGuid():N}@tests.healthcare.test", role = ClinicRoles.Nurse });
            Assert.Equal(HttpStatusCode.Accepted, invite.StatusCode);
        }

        var first = await admin.GetFromJsonAsync<AuditPage>($"/api/v1/audit-events?clinicId={clinic.Id}&action=create&limit=3");
        var second = await admin.GetFromJsonAsync<AuditPage>($"/api/v1/audit-events?clinicId={clinic.Id}&action=create&limit=3&before={first!.Next}");

        Assert.Equal(3, first.Events.Count);
        Assert.Equal(2, second!.Events.Count);
        Assert.Null(second.Next);
        var all = first.Events.Concat(second.Events).ToList();
        Assert.All(all, e => Assert.Equal(("create", "Invitation", "clinic_admin"), (e.Action, e.ResourceType, e.UserRole)));
        Assert.Equal(all.Select(e => e.Id).OrderDescending(), all.Select(e => e.Id));
        var reads = await admin.GetFromJsonAsync<AuditPage>($"/api/v1/audit-events?clinicId={clinic.Id}&action={AuditActions.Read}");
        Assert.Contains(reads!.Events, e => e.ResourceType == "AuditTrail");
    }

    [Fact]
    public async Task OtherRolesAndOtherClinicsCannotReadTheTrail()
    {
        var clinic = await api.CreateClinicAsync();
        var other = await api.CreateClinicAsync();
        var doctor = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id));
        var otherAdmin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, other.Id));

        await ProblemDetailsTests.AssertProblemAsync(await doctor.GetAsync($"/api/v1/audit-events?clinicId={clinic.Id}"), HttpStatusCode.Forbidden);
        await ProblemDetailsTests.AssertProblemAsync(await otherAdmin.GetAsync($"/api/v1/audit-events?clinicId={clinic.Id}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PageSizeIsBounded()
    {
        var clinic = await api.CreateClinicAsync();
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id));

        var response = await admin.GetAsync($"/api/v1/audit-events?clinicId={clinic.Id}&limit=5000");

        var problem = await ProblemDetailsTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("limit", out _));
    }
}
