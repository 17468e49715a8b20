using System.Net;
using System.Net.Http.Json;
using Healthcare.Api.Features.Records;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Identity;
using Healthcare.Core.Scheduling;
using Healthcare.IntegrationTests.Identity;
using Healthcare.IntegrationTests.Platform;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using static Healthcare.IntegrationTests.Records.RecordsSetup;

namespace Healthcare.IntegrationTests.Records;

/// <summary>Prescriptions: written by doctors only, read by nurses.</summary>
public sealed class MedicationsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task OnlyDoctorsPrescribeAndNursesReadPrescriptions()
    {
        var ward = await WardAsync(api);
        var nurse = await StaffAsync(api, ward, ClinicRoles.Nurse);
        var prescription = new { drug = "Amoxicillin", dose = "500 mg", route = "oral", frequency = "three times daily", endDate = "2099-01-01" };

        var byNurse = await nurse.PostAsJsonAsync(ward.Url("medications"), prescription);
        var byDoctor = await ward.Doctor.PostAsJsonAsync(ward.Url("medications"), prescription);
        var created = await ReadAsync<MedicationDto>(byDoctor);
        var stopByNurse = await SendAsync(nurse, HttpMethod.Put, ward.Url($"medications/{created.Id}"), prescription, byDoctor.Headers.ETag!.Tag);
        var listedForNurse = await nurse.GetFromJsonAsync<Page<MedicationDto>>(ward.Url("medications"));
        var badRoute = await ward.Doctor.PostAsJsonAsync(ward.Url("medications"), prescription with { route = "by mouth" });

        await ProblemDetailsTests.AssertProblemAsync(byNurse, HttpStatusCode.Forbidden);
        await ProblemDetailsTests.AssertProblemAsync(stopByNurse, HttpStatusCode.Forbidden);
        Assert.Equal((ward.DoctorAccount.Id, "Test doctor", "active"), (created.PrescriberUserId, created.PrescriberName, created.Status));
        Assert.Equal(created.Id, Assert.Single(listedForNurse!.Items).Id);
        var problem = await ProblemDetailsTests.AssertProblemAsync(badRoute, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("route", out _));
    }
}
