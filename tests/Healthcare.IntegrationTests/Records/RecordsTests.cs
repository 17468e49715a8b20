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

public sealed class RecordsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Secret = "Patient reports chest pain radiating to the left arm";

    [Fact]
    public async Task NoteBodiesAndAmendmentsAreEncryptedAtRest()
    {
        var ward = await WardAsync(api);
        var created = await ward.Doctor.PostAsJsonAsync(ward.Url("notes"), new { kind = "progress", body = Secret });
        var note = await ReadAsync<NoteDto>(created);
        await SignAsync(ward, note.Id);
        await ReadAsync<AmendmentDto>(await ward.Doctor.PostAsJsonAsync(ward.Url($"notes/{note.Id}/amendments"), new { body = "Correction: radiating to the right arm" }));

        var rawNote = await RawAsync(api, $"SELECT body_encrypted FROM clinical_notes WHERE id = '{note.Id}'");
        var rawAmendment = await RawAsync(api, $"SELECT body_encrypted FROM note_amendments WHERE note_id = '{note.Id}'");
        var read = await ward.Doctor.GetFromJsonAsync<NoteDto>(ward.Url($"notes/{note.Id}"));

        Assert.StartsWith("v1.", rawNote, StringComparison.Ordinal);
        Assert.StartsWith("v1.", rawAmendment, StringComparison.Ordinal);
        Assert.DoesNotContain("chest", rawNote, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("arm", rawAmendment, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(Secret, read!.Body);
        Assert.Equal("Correction: radiating to the right arm", Assert.Single(read.Amendments).Body);
        Assert.Equal(created.Headers.Location!.OriginalString, ward.Url($"notes/{note.Id}"));
    }

    [Fact]
    public async Task OnlyTheAuthorEditsAndSignsADraftAndASignedNoteOnlyTakesAmendments()
    {
        var ward = await WardAsync(api);
        var colleague = await StaffAsync(api, ward, ClinicRoles.Nurse);
        var created = await ward.Doctor.PostAsJsonAsync(ward.Url("notes"), new { kind = "progress", body = "Draft" });
        var note = await ReadAsync<NoteDto>(created);
        var url = ward.Url($"notes/{note.Id}");
        var etag = created.Headers.ETag!.Tag;

        var amendDraft = await colleague.PostAsJsonAsync($"{url}/amendments", new { body = "Too early" });
        var editByColleague = await SendAsync(colleague, HttpMethod.Put, url, new { kind = "progress", body = "Not mine" }, etag);
        var signByColleague = await SendAsync(colleague, HttpMethod.Post, $"{url}/sign", ifMatch: etag);
        var edited = await SendAsync(ward.Doctor, HttpMethod.Put, url, new { kind = "consultation", body = "Final text" }, etag);
        var signStale = await SendAsync(ward.Doctor, HttpMethod.Post, $"{url}/sign", ifMatch: etag);
        var signed = await SendAsync(ward.Doctor, HttpMethod.Post, $"{url}/sign", ifMatch: edited.Headers.ETag!.Tag);
        var current = signed.Headers.ETag!.Tag;
        var editSigned = await SendAsync(ward.Doctor, HttpMethod.Put, url, new { kind = "consultation", body = "Changed my mind" }, current);
        var signAgain = await SendAsync(ward.Doctor, HttpMethod.Post, $"{url}/sign", ifMatch: current);
        var amended = await colleague.PostAsJsonAsync($"{url}/amendments", new { body = "Addendum by the nurse" });

        await ProblemDetailsTests.AssertProblemAsync(amendDraft, HttpStatusCode.Conflict);
        await ProblemDetailsTests.AssertProblemAsync(editByColleague, HttpStatusCode.Forbidden);
        await ProblemDetailsTests.AssertProblemAsync(signByColleague, HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        await ProblemDetailsTests.AssertProblemAsync(signStale, HttpStatusCode.PreconditionFailed);
        Assert.NotNull((await ReadAsync<NoteDto>(signed)).SignedAt);
        await ProblemDetailsTests.AssertProblemAsync(editSigned, HttpStatusCode.Conflict);
        await ProblemDetailsTests.AssertProblemAsync(signAgain, HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.Created, amended.StatusCode);
        var read = await ward.Doctor.GetFromJsonAsync<NoteDto>(url);
        Assert.Equal(("consultation", "Final text"), (read!.Kind, read.Body));
        Assert.Equal("Addendum by the nurse", Assert.Single(read.Amendments).Body);
        Assert.Equal("Test nurse", read.Amendments[0].AuthorName);
    }

    [Fact]
    public async Task TheDatabaseRefusesToChangeASignedNoteOrAnAmendment()
    {
        var ward = await WardAsync(api);
        var note = await ReadAsync<NoteDto>(await ward.Doctor.PostAsJsonAsync(ward.Url("notes"), new { kind = "progress", body = "Signed text" }));
        await SignAsync(ward, note.Id);
        await ward.Doctor.PostAsJsonAsync(ward.Url($"notes/{note.Id}/amendments"), new { body = "Addendum" });

        var changeNote = await Assert.ThrowsAsync<PostgresException>(() => RawAsync(api, $"UPDATE clinical_notes SET kind = 'other' WHERE id = '{note.Id}' RETURNING kind"));
        var deleteNote = await Assert.ThrowsAsync<PostgresException>(() => RawAsync(api, $"DELETE FROM clinical_notes WHERE id = '{note.Id}' RETURNING kind"));
        var changeAmendment = await Assert.ThrowsAsync<PostgresException>(() => RawAsync(api, $"UPDATE note_amendments SET created_at = now() WHERE note_id = '{note.Id}' RETURNING body_encrypted"));

        Assert.All([changeNote, deleteNote, changeAmendment], e => Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, e.SqlState));
    }

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
    public async Task EncountersLinkOnlyTheirPatientsAppointmentAndOnlyOnce()
    {
        var ward = await WardAsync(api);
        var sibling = ward with { PatientId = await api.WithDbAsync(db => MatrixResources.PatientAsync(db, ward.ClinicId)) };
        var appointment = await AppointmentAsync(api, ward, DateTimeOffset.UtcNow.AddMinutes(-10), AppointmentStatus.CheckedIn);
        var othersAppointment = await AppointmentAsync(api, sibling, DateTimeOffset.UtcNow.AddMinutes(-10));

        var first = await ward.Doctor.PostAsJsonAsync(ward.Url("encounters"), new { appointmentId = appointment, reason = "Follow-up" });
        var second = await ward.Doctor.PostAsJsonAsync(ward.Url("encounters"), new { appointmentId = appointment });
        var foreign = await ward.Doctor.PostAsJsonAsync(ward.Url("encounters"), new { appointmentId = othersAppointment });
        var encounter = await ReadAsync<EncounterDto>(first);
        var finished = await SendAsync(ward.Doctor, HttpMethod.Put, ward.Url($"encounters/{encounter.Id}"), new { status = "finished", reason = "Follow-up" }, first.Headers.ETag!.Tag);
        var reopened = await SendAsync(ward.Doctor, HttpMethod.Put, ward.Url($"encounters/{encounter.Id}"), new { status = "in_progress" }, finished.Headers.ETag!.Tag);
        var note = await ward.Doctor.PostAsJsonAsync(ward.Url("notes"), new { kind = "progress", body = "Seen", encounterId = encounter.Id });
        var noteOnForeignEncounter = await ward.Doctor.PostAsJsonAsync(sibling.Url("notes"), new { kind = "progress", body = "Seen", encounterId = encounter.Id });

        Assert.Equal((appointment, "in_progress", "Test doctor"), (encounter.AppointmentId, encounter.Status, encounter.ClinicianName));
        await ProblemDetailsTests.AssertProblemAsync(second, HttpStatusCode.Conflict);
        Assert.True((await ProblemDetailsTests.AssertProblemAsync(foreign, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("appointmentId", out _));
        Assert.NotNull((await ReadAsync<EncounterDto>(finished)).EndedAt);
        await ProblemDetailsTests.AssertProblemAsync(reopened, HttpStatusCode.Conflict);
        Assert.Equal(encounter.Id, (await ReadAsync<NoteDto>(note)).EncounterId);
        Assert.True((await ProblemDetailsTests.AssertProblemAsync(noteOnForeignEncounter, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("encounterId", out _));
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

    private static async Task SignAsync(Ward ward, Guid noteId)
    {
        var read = await ward.Doctor.GetAsync(ward.Url($"notes/{noteId}"));
        var signed = await SendAsync(ward.Doctor, HttpMethod.Post, ward.Url($"notes/{noteId}/sign"), ifMatch: read.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
    }
}
