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

/// <summary>Vital signs: plausible values, units per kind, and paging by measurement time.</summary>
public sealed class VitalSignsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("temperatureCelsius", 50)]
    [InlineData("heartRatePerMin", 5)]
    [InlineData("spo2Percent", 101)]
    [InlineData("weightKg", 900)]
    [InlineData("heightCm", 10)]
    public async Task ImplausibleVitalsAreRefusedNamingTheField(string field, decimal value)
    {
        var ward = await WardAsync(api);

        var response = await ward.Doctor.PostAsJsonAsync(ward.Url("vitals"), new Dictionary<string, object> { [field] = value });

        var problem = await ProblemDetailsTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.DoesNotContain(value.ToString(System.Globalization.CultureInfo.InvariantCulture), problem.GetProperty("errors").GetProperty(field)[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await api.WithDbAsync(db => db.VitalSigns.CountAsync(v => v.PatientId == ward.PatientId)));
    }

    [Fact]
    public async Task VitalsAreStoredPerKindWithTheirUnitsAndBloodPressureNeedsBothValues()
    {
        var ward = await WardAsync(api);

        var systolicOnly = await ward.Doctor.PostAsJsonAsync(ward.Url("vitals"), new { systolicMmHg = 120 });
        var inverted = await ward.Doctor.PostAsJsonAsync(ward.Url("vitals"), new { systolicMmHg = 80, diastolicMmHg = 120 });
        var nothing = await ward.Doctor.PostAsJsonAsync(ward.Url("vitals"), new { });
        var recorded = await ReadAsync<List<VitalDto>>(await ward.Doctor.PostAsJsonAsync(ward.Url("vitals"), new
        {
            systolicMmHg = 128,
            diastolicMmHg = 82,
            heartRatePerMin = 72,
            temperatureCelsius = 36.8m,
            spo2Percent = 98,
            weightKg = 71.35m,
            heightCm = 178,
        }));

        Assert.True((await ProblemDetailsTests.AssertProblemAsync(systolicOnly, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("diastolicMmHg", out _));
        Assert.True((await ProblemDetailsTests.AssertProblemAsync(inverted, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("diastolicMmHg", out _));
        await ProblemDetailsTests.AssertProblemAsync(nothing, HttpStatusCode.BadRequest);
        Assert.Equal(
            [("blood_pressure", 128m, (decimal?)82m, "mm[Hg]"), ("heart_rate", 72m, null, "/min"), ("temperature", 36.8m, null, "Cel"), ("spo2", 98m, null, "%"),
                ("weight", 71.35m, null, "kg"), ("height", 178m, null, "cm")],
            recorded.Select(v => (v.Kind, v.Value, v.Diastolic, v.Unit)));
        var heartRates = await ward.Doctor.GetFromJsonAsync<Page<VitalDto>>(ward.Url("vitals?kind=heart_rate"));
        Assert.Equal(72m, Assert.Single(heartRates!.Items).Value);
    }

    [Fact]
    public async Task VitalsPageByMeasurementTimeNotByEntryOrder()
    {
        var ward = await WardAsync(api);
        var now = DateTimeOffset.UtcNow;
        foreach (var (rate, hoursAgo) in new[] { (60, 5), (61, 1), (62, 3), (63, 2), (64, 4) })
        {
            await ward.Doctor.PostAsJsonAsync(ward.Url("vitals"), new { heartRatePerMin = rate, measuredAt = now.AddHours(-hoursAgo) });
        }

        var seen = new List<decimal>();
        string? next = ward.Url("vitals?limit=2");
        do
        {
            var page = await ward.Doctor.GetFromJsonAsync<Page<VitalDto>>(next);
            seen.AddRange(page!.Items.Select(v => v.Value));
            next = page.Next;
        }
        while (next is not null);

        Assert.Equal([61m, 63m, 62m, 64m, 60m], seen);
    }
}
