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

/// <summary>The problem list: ICD-10 codes and resolving under optimistic concurrency.</summary>
public sealed class ProblemListTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("E11.9", "E11.9")]
    [InlineData(" e11.65 ", "E11.65")]
    [InlineData("S52.521A", "S52.521A")]
    [InlineData("J45", "J45")]
    [InlineData("E119", null)]
    [InlineData("11.9", null)]
    [InlineData("E11.", null)]
    [InlineData("E11.12345", null)]
    [InlineData("diabetes", null)]
    public async Task ProblemCodesMustBeIcd10(string code, string? stored)
    {
        var ward = await WardAsync(api);

        var response = await ward.Doctor.PostAsJsonAsync(ward.Url("problems"), new { condition = "Condition", icd10Code = code });

        if (stored is null)
        {
            var problem = await ProblemDetailsTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("icd10Code", out _));
        }
        else
        {
            var created = await ReadAsync<ProblemDto>(response);
            Assert.Equal((stored, "active"), (created.Icd10Code, created.Status));
        }
    }

    [Fact]
    public async Task ResolvingAProblemNeedsTheCurrentETagAndAResolutionDateOnlyWhenResolved()
    {
        var ward = await WardAsync(api);
        var created = await ward.Doctor.PostAsJsonAsync(ward.Url("problems"), new { condition = "Asthma", icd10Code = "J45.909", onsetDate = "2020-05-01" });
        var problem = await ReadAsync<ProblemDto>(created);
        var url = ward.Url($"problems/{problem.Id}");

        var earlyDate = await SendAsync(ward.Doctor, HttpMethod.Put, url, new { condition = "Asthma", icd10Code = "J45.909", onsetDate = "2020-05-01", resolvedDate = "2024-01-01" }, created.Headers.ETag!.Tag);
        var resolved = await SendAsync(ward.Doctor, HttpMethod.Put, url, new { condition = "Asthma", icd10Code = "J45.909", status = "resolved", onsetDate = "2020-05-01", resolvedDate = "2024-01-01" }, created.Headers.ETag!.Tag);

        Assert.True((await ProblemDetailsTests.AssertProblemAsync(earlyDate, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("resolvedDate", out _));
        var dto = await ReadAsync<ProblemDto>(resolved);
        Assert.Equal(("resolved", new DateOnly(2024, 1, 1)), (dto.Status, dto.ResolvedDate));
    }
}
