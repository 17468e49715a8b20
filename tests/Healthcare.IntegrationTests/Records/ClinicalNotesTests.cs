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

/// <summary>Clinical notes: encrypted at rest, edited and signed by their author only, then immutable.</summary>
public sealed class ClinicalNotesTests(ApiFactory api) : IClassFixture<ApiFactory>
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
}
