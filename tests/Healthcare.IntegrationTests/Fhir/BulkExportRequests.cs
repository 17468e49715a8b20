using System.Net;
using System.Text.Json;
using Healthcare.Core.Data;
using Healthcare.Core.Fhir;
using Healthcare.Core.Records;
using Healthcare.Core.Security;
using Healthcare.IntegrationTests.Identity;
using Healthcare.Testing;
using Hl7.Fhir.Model;
using Microsoft.Extensions.DependencyInjection;
using Patient = Healthcare.Core.Patients.Patient;
using Task = System.Threading.Tasks.Task;

namespace Healthcare.IntegrationTests.Fhir;

/// <summary>A client's side of the Bulk Data kick-off, status and download requests, and a clinic with data to export.</summary>
internal static class BulkExportRequests
{
    public const string NdjsonMediaType = "application/fhir+ndjson";

    /// <summary>The types a doctor's Group export holds for <see cref="SeedAsync"/>'s clinic, one resource each.</summary>
    public static readonly string[] AllTypes =
    [
        "Patient", "Appointment", "Encounter", "Observation", "AllergyIntolerance", "Condition", "MedicationStatement",
        "DocumentReference", "Organization", "Location", "Practitioner",
    ];

    private static readonly string[] RecordKinds = ["encounters", "allergies", "problems", "medications", "notes"];

    public static async Task<HttpResponseMessage> KickOffAsync(HttpClient client, string path, string? prefer = "respond-async")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd("application/fhir+json");
        if (prefer is not null)
        {
            request.Headers.Add("Prefer", prefer);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Kicks an export off and returns its status URL (from <c>Content-Location</c>).</summary>
    public static async Task<Uri> StartAsync(HttpClient client, string path)
    {
        var response = await KickOffAsync(client, path);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var status = response.Content.Headers.ContentLocation;
        Assert.NotNull(status);
        Assert.True(status.IsAbsoluteUri, "The status URL is absolute");
        return status;
    }

    public static Guid IdOf(Uri statusUrl) => Guid.Parse(statusUrl.Segments[^1]);

    /// <summary>Runs the worker's build of the export in this process (the worker process does the same, see BulkExportWorkerTests).</summary>
    public static Task RunJobAsync(ApiFactory api, Uri statusUrl) => api.WithDbAsync(async db =>
    {
        await BulkExportBuilder.BuildAsync(db, api.Services.GetRequiredService<FieldEncryption>(), TimeProvider.System, IdOf(statusUrl), CancellationToken.None);
        return 0;
    });

    /// <summary>The completion manifest (asserting 200 and JSON).</summary>
    public static async Task<JsonElement> ManifestAsync(HttpClient client, Uri statusUrl)
    {
        var response = await client.GetAsync(statusUrl);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The manifest's output entries as (type, url, count).</summary>
    public static List<(string Type, string Url, int Count)> Outputs(JsonElement manifest) =>
        [.. manifest.GetProperty("output").EnumerateArray()
            .Select(o => (o.GetProperty("type").GetString()!, o.GetProperty("url").GetString()!, o.GetProperty("count").GetInt32()))];

    /// <summary>A file's resources, each line parsed strictly as FHIR JSON (asserting 200, NDJSON and no-store).</summary>
    public static async Task<List<Resource>> DownloadAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        Assert.Equal(NdjsonMediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore, "An export file holds patient data: no cache may keep it");
        Assert.EndsWith("\n", body, StringComparison.Ordinal);
        return [.. body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(FhirValidation.Parse)];
    }

    /// <summary>
    /// A new clinic with a location and one patient (named <see cref="Seeded.FamilyName"/>) who has an appointment, an
    /// encounter, a heart rate, an allergy, a problem, a medication and a signed note.
    /// </summary>
    public static Task<Seeded> SeedAsync(ApiFactory api, Guid clinicId, Guid clinicianId) => api.WithDbAsync(async db =>
    {
        var familyName = $"Bulkexport{Guid.NewGuid():N}"[..30];
        var patient = new Patient { ClinicId = clinicId, GivenName = "Quincy", FamilyName = familyName, Sex = "female", DateOfBirth = new DateOnly(1980, 5, 17) };
        patient.RefreshSearchName();
        db.Patients.Add(patient);
        await db.SaveChangesAsync();
        await MatrixResources.AppointmentOfAsync(db, clinicId, patient.Id);
        await MatrixResources.LocationAsync(db, clinicId);
        var earlier = new Dictionary<string, Guid> { ["patientId"] = patient.Id };
        foreach (var kind in RecordKinds)
        {
            await MatrixResources.Factories[kind](db, clinicId, earlier);
        }

        await VitalAsync(db, clinicId, patient.Id, clinicianId, DateTimeOffset.UtcNow);
        return new Seeded(patient.Id, familyName);
    });

    public static async Task<Guid> VitalAsync(HealthcareDbContext db, Guid clinicId, Guid patientId, Guid clinicianId, DateTimeOffset at)
    {
        var vital = new VitalSign
        {
            ClinicId = clinicId,
            PatientId = patientId,
            Kind = VitalKinds.HeartRate.Name,
            Value = 72,
            Unit = VitalKinds.HeartRate.Unit,
            MeasuredAt = at,
            RecordedByUserId = clinicianId,
            CreatedAt = at,
        };
        db.VitalSigns.Add(vital);
        await db.SaveChangesAsync();
        return vital.Id;
    }

    public sealed record Seeded(Guid PatientId, string FamilyName);
}
