using System.Net;
using System.Net.Http.Json;
using Healthcare.Api.Features.Audit;
using Healthcare.Api.Features.Records;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Platform;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using static Healthcare.IntegrationTests.Records.RecordsSetup;

namespace Healthcare.IntegrationTests.Records;

public sealed class MyRecordsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task PatientReadsSignedReleasedNotesOnly()
    {
        var ward = await WardAsync(api);
        var patient = await PatientClientAsync(api, ward);
        var draft = await NoteAsync(ward, "Draft, not yet signed", sign: false, release: true);
        var withheld = await NoteAsync(ward, "Signed but not released", sign: true, release: false);
        var released = await NoteAsync(ward, "Your results are normal", sign: true, release: true);
        await ward.Doctor.PostAsJsonAsync(ward.Url($"notes/{released}/amendments"), new { body = "Addendum: repeat in a year" });

        var page = await patient.GetFromJsonAsync<Page<NoteDto>>($"/api/v1/me/patients/{ward.PatientId}/notes");
        var body = await (await patient.GetAsync($"/api/v1/me/patients/{ward.PatientId}/notes")).Content.ReadAsStringAsync();

        var note = Assert.Single(page!.Items);
        Assert.Equal((released, "Your results are normal", "Test doctor"), (note.Id, note.Body, note.AuthorName));
        Assert.Equal("Addendum: repeat in a year", Assert.Single(note.Amendments).Body);
        Assert.DoesNotContain("not yet signed", body, StringComparison.Ordinal);
        Assert.DoesNotContain("not released", body, StringComparison.Ordinal);
        Assert.DoesNotContain(draft.ToString(), body, StringComparison.Ordinal);
        Assert.DoesNotContain(withheld.ToString(), body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PatientReadsTheirOwnSummaryAndListsButNothingEnteredInError()
    {
        var ward = await WardAsync(api);
        var patient = await PatientClientAsync(api, ward);
        await ward.Doctor.PostAsJsonAsync(ward.Url("allergies"), new { substance = "Penicillin", severity = "severe" });
        await ward.Doctor.PostAsJsonAsync(ward.Url("allergies"), new { substance = "Wrong patient", severity = "mild", status = "entered_in_error" });
        await ward.Doctor.PostAsJsonAsync(ward.Url("problems"), new { condition = "Type 2 diabetes", icd10Code = "E11.9" });
        await ward.Doctor.PostAsJsonAsync(ward.Url("medications"), new { drug = "Metformin", dose = "500 mg", route = "oral", frequency = "twice daily" });
        await ward.Doctor.PostAsJsonAsync(ward.Url("vitals"), new { systolicMmHg = 130, diastolicMmHg = 85 });
        var me = $"/api/v1/me/patients/{ward.PatientId}";

        var records = await patient.GetFromJsonAsync<List<MyPatientRecordDto>>("/api/v1/me/patients");
        var summary = await patient.GetFromJsonAsync<PatientSummaryDto>($"{me}/summary");
        var allergies = await patient.GetFromJsonAsync<Page<AllergyDto>>($"{me}/allergies");
        var problems = await patient.GetFromJsonAsync<Page<ProblemDto>>($"{me}/problems");
        var medications = await patient.GetFromJsonAsync<Page<MedicationDto>>($"{me}/medications");
        var vitals = await patient.GetFromJsonAsync<Page<VitalDto>>($"{me}/vitals");

        Assert.Equal((ward.PatientId, ward.ClinicId), (Assert.Single(records!).PatientId, records![0].ClinicId));
        Assert.Equal(["Penicillin"], summary!.Allergies.Select(a => a.Substance));
        Assert.Equal(["E11.9"], summary.ActiveProblems.Select(p => p.Icd10Code));
        Assert.Equal(["Penicillin"], allergies!.Items.Select(a => a.Substance));
        Assert.Equal(["Type 2 diabetes"], problems!.Items.Select(p => p.Condition));
        Assert.Equal(["Metformin"], medications!.Items.Select(m => m.Drug));
        Assert.Equal((130m, (decimal?)85m), (Assert.Single(vitals!.Items).Value, vitals.Items[0].Diastolic));
    }

    [Fact]
    public async Task AnotherPersonsRecordIsNotFound()
    {
        var ward = await WardAsync(api);
        await PatientClientAsync(api, ward);
        var stranger = await PatientClientAsync(api, await WardAsync(api));

        foreach (var path in new[] { "summary", "notes", "allergies", "medications", "problems", "vitals" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/api/v1/me/patients/{ward.PatientId}/{path}")).StatusCode);
        }

        Assert.DoesNotContain(ward.PatientId.ToString(), await stranger.GetStringAsync("/api/v1/me/patients"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StaffWithoutALinkedRecordHaveNoOwnRecords()
    {
        var ward = await WardAsync(api);

        var mine = await ward.Doctor.GetFromJsonAsync<List<MyPatientRecordDto>>("/api/v1/me/patients");
        var theirs = await ward.Doctor.GetAsync($"/api/v1/me/patients/{ward.PatientId}/summary");

        Assert.Empty(mine!);
        Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
    }

    [Fact]
    public async Task PatientsCannotWriteTheirRecords()
    {
        var ward = await WardAsync(api);
        var patient = await PatientClientAsync(api, ward);
        var allergy = new { substance = "Self-reported", severity = "mild" };
        var note = await NoteAsync(ward, "Signed", sign: true, release: true);

        var viaMe = await patient.PostAsJsonAsync($"/api/v1/me/patients/{ward.PatientId}/allergies", allergy);
        var viaClinic = await patient.PostAsJsonAsync(ward.Url("allergies"), allergy);
        var readViaClinic = await patient.GetAsync(ward.Url("notes"));
        var amend = await patient.PostAsJsonAsync(ward.Url($"notes/{note}/amendments"), new { body = "I disagree" });

        Assert.Equal(HttpStatusCode.MethodNotAllowed, viaMe.StatusCode);
        await ProblemDetailsTests.AssertProblemAsync(viaClinic, HttpStatusCode.Forbidden);
        await ProblemDetailsTests.AssertProblemAsync(readViaClinic, HttpStatusCode.Forbidden);
        await ProblemDetailsTests.AssertProblemAsync(amend, HttpStatusCode.Forbidden);
        Assert.Equal(0, await api.WithDbAsync(db => db.Allergies.CountAsync(a => a.PatientId == ward.PatientId)));
    }

    [Fact]
    public async Task PatientsOwnReadsAreAuditedAndShowInTheirAccessLog()
    {
        var ward = await WardAsync(api);
        var patient = await PatientClientAsync(api, ward);
        await ward.Doctor.GetAsync(ward.Url("summary"));

        await patient.GetAsync($"/api/v1/me/patients/{ward.PatientId}/summary");
        await patient.GetAsync($"/api/v1/me/patients/{ward.PatientId}/notes");

        var rows = await api.WithDbAsync(db => db.AuditEvents.Where(e => e.PatientId == ward.PatientId).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal(
            [(ClinicRoles.Doctor, "PatientSummary"), (ClinicRoles.Patient, "PatientSummary"), (ClinicRoles.Patient, "ClinicalNote")],
            rows.Select(r => (r.UserRole, r.ResourceType)));
        Assert.All(rows, r => Assert.Equal((AuditActions.Read, AuditOutcomes.Success, ward.ClinicId), (r.Action, r.Outcome, r.ClinicId!.Value)));
        var log = await patient.GetFromJsonAsync<List<AccessLogEntryDto>>("/api/v1/me/access-log");
        Assert.Contains(log!, e => e.ResourceType == "PatientSummary" && e.ActorRole == ClinicRoles.Doctor && !e.ByYou);
    }

    private static async Task<Guid> NoteAsync(Ward ward, string body, bool sign, bool release)
    {
        var created = await ward.Doctor.PostAsJsonAsync(ward.Url("notes"), new { kind = "progress", body });
        var note = await ReadAsync<NoteDto>(created);
        if (sign)
        {
            var signed = await SendAsync(ward.Doctor, HttpMethod.Post, ward.Url($"notes/{note.Id}/sign"), ifMatch: created.Headers.ETag!.Tag);
            Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        }

        if (release)
        {
            Assert.Equal(HttpStatusCode.OK, (await ward.Doctor.PostAsync(ward.Url($"notes/{note.Id}/release"), null)).StatusCode);
        }

        return note.Id;
    }
}
