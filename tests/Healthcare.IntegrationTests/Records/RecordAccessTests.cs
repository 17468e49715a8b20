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

/// <summary>What holds for every record type: who may read, the audit trail, the summary and paging.</summary>
public sealed class RecordAccessTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task SummaryShowsWhatIsCurrentOnly()
    {
        var ward = await WardAsync(api);
        var now = DateTimeOffset.UtcNow;
        await ward.Doctor.PostAsJsonAsync(ward.Url("problems"), new { condition = "Hypertension", icd10Code = "I10" });
        await ward.Doctor.PostAsJsonAsync(ward.Url("problems"), new { condition = "Sprained ankle", status = "resolved" });
        await ward.Doctor.PostAsJsonAsync(ward.Url("allergies"), new { substance = "Peanuts", severity = "life_threatening", reaction = "Anaphylaxis" });
        await ward.Doctor.PostAsJsonAsync(ward.Url("allergies"), new { substance = "Latex", severity = "mild", status = "entered_in_error" });
        await ward.Doctor.PostAsJsonAsync(ward.Url("medications"), new { drug = "Lisinopril", dose = "10 mg", route = "oral", frequency = "once daily" });
        await ward.Doctor.PostAsJsonAsync(ward.Url("medications"), new { drug = "Ibuprofen", dose = "400 mg", route = "oral", frequency = "as needed", startDate = "2020-01-01", endDate = "2020-01-10" });
        await ward.Doctor.PostAsJsonAsync(ward.Url("medications"), new { drug = "Statin", dose = "20 mg", route = "oral", frequency = "nightly", status = "stopped" });
        await ward.Doctor.PostAsJsonAsync(ward.Url("vitals"), new { heartRatePerMin = 90, weightKg = 80, measuredAt = now.AddDays(-2) });
        await ward.Doctor.PostAsJsonAsync(ward.Url("vitals"), new { heartRatePerMin = 64, measuredAt = now.AddHours(-1) });
        await ward.Doctor.PostAsJsonAsync(ward.Url("vitals"), new { heartRatePerMin = 100, measuredAt = now.AddDays(-30) });
        var upcoming = await AppointmentAsync(api, ward, now.AddDays(3));
        await AppointmentAsync(api, ward, now.AddDays(-3));
        await AppointmentAsync(api, ward, now.AddDays(5), AppointmentStatus.Cancelled);

        var summary = await ward.Doctor.GetFromJsonAsync<PatientSummaryDto>(ward.Url("summary"));

        Assert.Equal(ward.PatientId, summary!.Patient.Id);
        Assert.Equal(["Hypertension"], summary.ActiveProblems.Select(p => p.Condition));
        Assert.Equal(["Peanuts"], summary.Allergies.Select(a => a.Substance));
        Assert.Equal(["Lisinopril"], summary.CurrentMedications.Select(m => m.Drug));
        Assert.Equal([("heart_rate", 64m), ("weight", 80m)], summary.LatestVitals.Select(v => (v.Kind, v.Value)));
        var appointment = Assert.Single(summary.UpcomingAppointments);
        Assert.Equal((upcoming, "Dr. Summary"), (appointment.Id, appointment.PractitionerName));
    }

    [Fact]
    public async Task ReceptionistsCannotReadClinicalRecords()
    {
        var ward = await WardAsync(api);
        var receptionist = await StaffAsync(api, ward, ClinicRoles.Receptionist);

        foreach (var path in new[] { "summary", "notes", "vitals", "allergies", "medications", "problems", "encounters" })
        {
            await ProblemDetailsTests.AssertProblemAsync(await receptionist.GetAsync(ward.Url(path)), HttpStatusCode.Forbidden);
        }

        await ProblemDetailsTests.AssertProblemAsync(await receptionist.PostAsJsonAsync(ward.Url("allergies"), new { substance = "Dust", severity = "mild" }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task AnotherClinicsDoctorFindsNothing()
    {
        var ward = await WardAsync(api);
        var note = await ReadAsync<NoteDto>(await ward.Doctor.PostAsJsonAsync(ward.Url("notes"), new { kind = "progress", body = "Private" }));
        var elsewhere = await WardAsync(api);
        var viaOwnClinic = $"/api/v1/clinics/{elsewhere.ClinicId}/patients/{ward.PatientId}";

        var responses = new[]
        {
            await elsewhere.Doctor.GetAsync($"{viaOwnClinic}/summary"),
            await elsewhere.Doctor.GetAsync($"{viaOwnClinic}/notes"),
            await elsewhere.Doctor.GetAsync($"{viaOwnClinic}/notes/{note.Id}"),
            await elsewhere.Doctor.GetAsync(elsewhere.Url($"notes/{note.Id}")),
            await elsewhere.Doctor.PostAsJsonAsync($"{viaOwnClinic}/allergies", new { substance = "Dust", severity = "mild" }),
            await elsewhere.Doctor.GetAsync(ward.Url("notes")),
        };

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        Assert.Equal(0, await api.WithDbAsync(db => db.Allergies.CountAsync(a => a.PatientId == ward.PatientId)));
    }

    [Fact]
    public async Task EveryReadAndWriteIsAuditedWithThePatient()
    {
        var ward = await WardAsync(api);
        var note = await ReadAsync<NoteDto>(await ward.Doctor.PostAsJsonAsync(ward.Url("notes"), new { kind = "progress", body = "Audited" }));
        await SignAsync(ward, note.Id);
        await ward.Doctor.PostAsJsonAsync(ward.Url($"notes/{note.Id}/amendments"), new { body = "More" });
        await ward.Doctor.PostAsync(ward.Url($"notes/{note.Id}/release"), null);
        await ward.Doctor.GetAsync(ward.Url("notes"));
        await ward.Doctor.PostAsJsonAsync(ward.Url("vitals"), new { heartRatePerMin = 70 });
        await ward.Doctor.GetAsync(ward.Url("vitals"));
        await ward.Doctor.PostAsJsonAsync(ward.Url("vitals"), new { heartRatePerMin = 700 });
        await ward.Doctor.GetAsync(ward.Url("summary"));

        var rows = await api.WithDbAsync(db => db.AuditEvents.Where(e => e.PatientId == ward.PatientId).OrderBy(e => e.Id).ToListAsync());

        Assert.Equal(
            [
                "create/ClinicalNote/success", "read/ClinicalNote/success", "update/ClinicalNote/success", "create/NoteAmendment/success",
                "update/ClinicalNote/success", "read/ClinicalNote/success", "create/VitalSign/success", "read/VitalSign/success",
                "create/VitalSign/failure", "read/PatientSummary/success",
            ],
            rows.Select(r => $"{r.Action}/{r.ResourceType}/{r.Outcome}"));
        Assert.All(rows, r => Assert.Equal((ward.ClinicId, ward.DoctorAccount.Id, ClinicRoles.Doctor), (r.ClinicId!.Value, r.UserId!.Value, r.UserRole)));
        Assert.Equal(note.Id.ToString(), rows[0].ResourceId);
    }

    [Fact]
    public async Task ListsArePagedNewestFirstWithAnOpaqueCursorAndRefuseUnknownParameters()
    {
        var ward = await WardAsync(api);
        foreach (var substance in new[] { "Aspirin", "Bees", "Cats" })
        {
            await ward.Doctor.PostAsJsonAsync(ward.Url("allergies"), new { substance, severity = "mild" });
        }

        var first = await ward.Doctor.GetFromJsonAsync<Page<AllergyDto>>(ward.Url("allergies?limit=2"));
        var second = await ward.Doctor.GetFromJsonAsync<Page<AllergyDto>>(first!.Next);
        var unknown = await ward.Doctor.GetAsync(ward.Url("allergies?sort=substance"));
        var tooMany = await ward.Doctor.GetAsync(ward.Url("allergies?limit=101"));
        var forged = await ward.Doctor.GetAsync(ward.Url("allergies?cursor=not-a-cursor"));
        var badStatus = await ward.Doctor.GetAsync(ward.Url("allergies?status=gone"));

        Assert.Equal(["Cats", "Bees"], first.Items.Select(a => a.Substance));
        Assert.Equal(["Aspirin"], second!.Items.Select(a => a.Substance));
        Assert.Null(second.Next);
        Assert.StartsWith(ward.Url("allergies?limit=2&cursor="), first.Next, StringComparison.Ordinal);
        Assert.True((await ProblemDetailsTests.AssertProblemAsync(unknown, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("sort", out _));
        Assert.True((await ProblemDetailsTests.AssertProblemAsync(tooMany, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("limit", out _));
        Assert.True((await ProblemDetailsTests.AssertProblemAsync(forged, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("cursor", out _));
        Assert.True((await ProblemDetailsTests.AssertProblemAsync(badStatus, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("status", out _));
    }
}
