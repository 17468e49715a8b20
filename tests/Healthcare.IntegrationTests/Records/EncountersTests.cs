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

/// <summary>Encounters: linked only to their patient's appointment, and only once.</summary>
public sealed class EncountersTests(ApiFactory api) : IClassFixture<ApiFactory>
{
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
}
