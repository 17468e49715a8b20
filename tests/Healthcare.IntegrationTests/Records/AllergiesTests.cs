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

/// <summary>Allergies: changes need the current ETag.</summary>
public sealed class AllergiesTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task AllergyStatusChangeNeedsTheCurrentETag()
    {
        var ward = await WardAsync(api);
        var created = await ward.Doctor.PostAsJsonAsync(ward.Url("allergies"), new { substance = "Penicillin", reaction = "Hives", severity = "moderate" });
        var allergy = await ReadAsync<AllergyDto>(created);
        var url = ward.Url($"allergies/{allergy.Id}");
        var read = await ward.Doctor.GetAsync(url);
        var etag = read.Headers.ETag!.Tag;
        var change = new { substance = "Penicillin", reaction = "Hives", severity = "moderate", status = "resolved" };

        var missing = await SendAsync(ward.Doctor, HttpMethod.Put, url, change);
        var ok = await SendAsync(ward.Doctor, HttpMethod.Put, url, change, etag);
        var stale = await SendAsync(ward.Doctor, HttpMethod.Put, url, change with { status = "active" }, etag);

        Assert.Equal(created.Headers.ETag, read.Headers.ETag);
        await ProblemDetailsTests.AssertProblemAsync(missing, HttpStatusCode.PreconditionRequired);
        Assert.Equal("resolved", (await ReadAsync<AllergyDto>(ok)).Status);
        Assert.NotEqual(etag, ok.Headers.ETag!.Tag);
        await ProblemDetailsTests.AssertProblemAsync(stale, HttpStatusCode.PreconditionFailed);
        Assert.Equal("resolved", (await ward.Doctor.GetFromJsonAsync<AllergyDto>(url))!.Status);
    }
}
