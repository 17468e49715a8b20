using System.Net;
using Healthcare.Core.Audit;
using Healthcare.Core.Fhir;
using Healthcare.Core.Identity;
using Healthcare.Core.Security;
using Healthcare.Testing;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Healthcare.IntegrationTests.Fhir.BulkExportRequests;
using Task = System.Threading.Tasks.Task;

namespace Healthcare.IntegrationTests.Fhir;

/// <summary>
/// FHIR Bulk Data export (HL7 Bulk Data Access IG v2): the kick-off answers 202 with a status URL, the status is 202
/// until the worker's job has run and then the manifest, every line of every file is a valid resource of the declared
/// type, <c>_type</c> and <c>_since</c> narrow the export, the files are encrypted at rest and gone after the
/// retention, and the kick-off and each file served are audited.
/// </summary>
public sealed class BulkExportTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task AGroupExportRunsAsynchronouslyAndEachFileHoldsValidResourcesOfItsType()
    {
        var clinic = await api.CreateClinicAsync();
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        var seeded = await SeedAsync(api, clinic.Id, doctor.Id);
        var otherClinic = await api.CreateClinicAsync();
        await SeedAsync(api, otherClinic.Id, doctor.Id);
        var client = await api.ClientForAsync(doctor);

        var kickOff = await KickOffAsync(client, $"/fhir/r4/Group/{clinic.Id}/$export");
        Assert.Equal(HttpStatusCode.Accepted, kickOff.StatusCode);
        var status = kickOff.Content.Headers.ContentLocation!;
        Assert.StartsWith("http://localhost/fhir/r4/$export-status/", status.ToString(), StringComparison.Ordinal);
        var pending = await client.GetAsync(status);
        Assert.Equal(HttpStatusCode.Accepted, pending.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(BulkExportApiPollSeconds), pending.Headers.RetryAfter?.Delta);
        Assert.Equal(["queued"], pending.Headers.GetValues("X-Progress"));

        await RunJobAsync(api, status);
        var manifest = await ManifestAsync(client, status);

        Assert.Equal($"http://localhost/fhir/r4/Group/{clinic.Id}/$export", manifest.GetProperty("request").GetString());
        Assert.True(manifest.GetProperty("requiresAccessToken").GetBoolean());
        Assert.Empty(manifest.GetProperty("error").EnumerateArray());
        var transactionTime = DateTimeOffset.Parse(manifest.GetProperty("transactionTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(transactionTime, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow);
        var outputs = Outputs(manifest);
        Assert.Equal(AllTypes, outputs.Select(o => o.Type));
        foreach (var (type, url, count) in outputs)
        {
            Assert.StartsWith("http://localhost/fhir/r4/$export-file/", url, StringComparison.Ordinal);
            var resources = await DownloadAsync(client, url);
            Assert.Equal(count, resources.Count);
            Assert.All(resources, r => Assert.Equal(type, r.TypeName));
            foreach (var resource in resources)
            {
                FhirValidation.AssertValid(resource);
                if (resource is Observation observation)
                {
                    FhirValidation.AssertValid(observation, VitalSignObservations.VitalSignsProfile);
                }
            }

            // Only the clinic's own data (the other clinic has one of each as well).
            Assert.Equal(1, count);
        }

        var patient = Assert.IsType<Hl7.Fhir.Model.Patient>(Assert.Single(await DownloadAsync(client, outputs[0].Url)));
        Assert.Equal((seeded.PatientId.ToString(), seeded.FamilyName), (patient.Id, patient.Name.Single().Family));
        var audited = await api.WithDbAsync(db => db.AuditEvents.AsNoTracking()
            .Where(e => e.UserId == doctor.Id && e.Action == AuditActions.Export).Select(e => new { e.ResourceType, e.ResourceId, e.ClinicId, e.Outcome }).ToListAsync());
        var requested = Assert.Single(audited, e => e.ResourceType == "FhirBulkExport");
        Assert.Equal((IdOf(status).ToString(), (Guid?)clinic.Id, AuditOutcomes.Success), (requested.ResourceId, requested.ClinicId, requested.Outcome));
        // One row per file served: every file once, and the patients' file a second time.
        var served = audited.Where(e => e.ResourceType == "FhirBulkExportFile").ToList();
        Assert.Equal(outputs.Count + 1, served.Count);
        Assert.All(served, e => Assert.Equal((Guid?)clinic.Id, e.ClinicId));
        Assert.Equal(outputs.Select(o => o.Url[(o.Url.LastIndexOf('/') + 1)..]).Order(), served.Select(e => e.ResourceId!).Distinct().Order());
    }

    [Fact]
    public async Task TypeAndSinceNarrowTheExportAndThePatientLevelExportCoversTheClinicsReached()
    {
        var clinic = await api.CreateClinicAsync();
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        var recent = await SeedAsync(api, clinic.Id, doctor.Id);
        var old = await SeedAsync(api, clinic.Id, doctor.Id);
        var longAgo = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var oldVital = await api.WithDbAsync(async db =>
        {
            await db.Patients.Where(p => p.Id == old.PatientId)
                .ExecuteUpdateAsync(p => p.SetProperty(x => x.CreatedAt, longAgo).SetProperty(x => x.UpdatedAt, longAgo));
            await db.VitalSigns.Where(v => v.PatientId == old.PatientId).ExecuteDeleteAsync();
            return await VitalAsync(db, clinic.Id, old.PatientId, doctor.Id, longAgo);
        });
        var client = await api.ClientForAsync(doctor);

        var typed = await StartAsync(client, $"/fhir/r4/Group/{clinic.Id}/$export?_type=Observation,Patient&_outputFormat=application%2Ffhir%2Bndjson");
        await RunJobAsync(api, typed);
        var typedOutputs = Outputs(await ManifestAsync(client, typed));
        Assert.Equal([("Patient", 2), ("Observation", 2)], typedOutputs.Select(o => (o.Type, o.Count)));

        var since = await StartAsync(client, "/fhir/r4/Patient/$export?_type=Patient,Observation&_since=2025-06-01T00:00:00Z");
        await RunJobAsync(api, since);
        var sinceOutputs = Outputs(await ManifestAsync(client, since));
        Assert.Equal(["Patient", "Observation"], sinceOutputs.Select(o => o.Type));
        var patients = await DownloadAsync(client, sinceOutputs[0].Url);
        Assert.Equal([recent.PatientId.ToString()], patients.Select(p => p.Id));
        var observations = await DownloadAsync(client, sinceOutputs[1].Url);
        Assert.DoesNotContain(oldVital.ToString(), observations.Select(o => o.Id));
        Assert.All(observations, o => Assert.Equal($"Patient/{recent.PatientId}", ((Observation)o).Subject?.Reference));

        // Without _since, the patient-level export holds both patients of the doctor's clinic.
        var everything = await StartAsync(client, "/fhir/r4/Patient/$export?_type=Patient");
        await RunJobAsync(api, everything);
        var all = Outputs(await ManifestAsync(client, everything));
        Assert.Equal([("Patient", 2)], all.Select(o => (o.Type, o.Count)));
    }

    [Fact]
    public async Task FilesAreEncryptedAtRestAndRefusedAfterTheRetention()
    {
        var clinic = await api.CreateClinicAsync();
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        var seeded = await SeedAsync(api, clinic.Id, doctor.Id);
        var client = await api.ClientForAsync(doctor);

        var status = await StartAsync(client, $"/fhir/r4/Group/{clinic.Id}/$export?_type=Patient,DocumentReference");
        await RunJobAsync(api, status);
        var outputs = Outputs(await ManifestAsync(client, status));

        var exportId = IdOf(status);
        var stored = await api.WithDbAsync(db => db.BulkExportFiles.AsNoTracking().Where(f => f.ExportId == exportId).ToListAsync());
        Assert.Equal(outputs.Count, stored.Count);
        Assert.All(stored, f => Assert.StartsWith("v1.", f.ContentEncrypted, StringComparison.Ordinal));
        Assert.All(stored, f => Assert.DoesNotContain(seeded.FamilyName, f.ContentEncrypted, StringComparison.Ordinal));
        Assert.All(stored, f => Assert.DoesNotContain("Matrix note", f.ContentEncrypted, StringComparison.Ordinal));
        var encryption = api.Services.GetRequiredService<FieldEncryption>();
        var patients = System.Text.Encoding.UTF8.GetString(encryption.DecryptBytes(stored.Single(f => f.Type == "Patient").ContentEncrypted));
        Assert.Contains(seeded.FamilyName, patients, StringComparison.Ordinal);

        await api.WithDbAsync(db => db.BulkExports.Where(e => e.Id == exportId)
            .ExecuteUpdateAsync(e => e.SetProperty(x => x.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(-1))));
        await FhirValidation.AssertOutcomeAsync(await client.GetAsync(outputs[0].Url), HttpStatusCode.Gone, OperationOutcome.IssueType.NotFound);
        await FhirValidation.AssertOutcomeAsync(await client.GetAsync(status), HttpStatusCode.Gone, OperationOutcome.IssueType.NotFound);
        await api.WithDbAsync(db => BulkExport.PurgeExpiredAsync(db, DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.False(await api.WithDbAsync(db => db.BulkExportFiles.AnyAsync(f => f.ExportId == exportId)));
        await FhirValidation.AssertOutcomeAsync(await client.GetAsync(outputs[0].Url), HttpStatusCode.NotFound, OperationOutcome.IssueType.NotFound);
    }

    [Fact]
    public async Task AnExportLargerThanAFileIsSplitIntoNumberedFiles()
    {
        var clinic = await api.CreateClinicAsync();
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        var patientId = (await SeedAsync(api, clinic.Id, doctor.Id)).PatientId;
        var count = BulkExportBuilder.MaxResourcesPerFile + BulkExportBuilder.BatchSize + 1;
        await api.WithDbAsync(async db =>
        {
            for (var i = 1; i < count; i++)
            {
                db.VitalSigns.Add(new Healthcare.Core.Records.VitalSign
                {
                    ClinicId = clinic.Id,
                    PatientId = patientId,
                    Kind = Healthcare.Core.Records.VitalKinds.HeartRate.Name,
                    Value = 60 + (i % 40),
                    Unit = Healthcare.Core.Records.VitalKinds.HeartRate.Unit,
                    MeasuredAt = DateTimeOffset.UtcNow.AddMinutes(-i),
                    RecordedByUserId = doctor.Id,
                });
            }

            return await db.SaveChangesAsync();
        });
        var client = await api.ClientForAsync(doctor);

        var status = await StartAsync(client, $"/fhir/r4/Group/{clinic.Id}/$export?_type=Observation");
        await RunJobAsync(api, status);
        var outputs = Outputs(await ManifestAsync(client, status));

        Assert.Equal([BulkExportBuilder.MaxResourcesPerFile, count - BulkExportBuilder.MaxResourcesPerFile], outputs.Select(o => o.Count));
        var second = await DownloadAsync(client, outputs[1].Url);
        var first = await DownloadAsync(client, outputs[0].Url);
        Assert.Equal(count, first.Concat(second).Select(r => r.Id).Distinct().Count());
        Assert.True(string.CompareOrdinal(first[^1].Id, second[0].Id) < 0, "the files follow the id order");
    }

    private const int BulkExportApiPollSeconds = Healthcare.Api.Features.Fhir.BulkExportApi.PollSeconds;
}
