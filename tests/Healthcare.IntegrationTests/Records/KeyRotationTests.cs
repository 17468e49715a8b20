using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Healthcare.Api.Features.Patients;
using Healthcare.Api.Features.Records;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Records;

/// <summary>
/// Rotating the data encryption key: an instance whose newest key is a new one still reads what was written
/// under the old key, writes new data under the new key, and finds patients by national id as before.
/// </summary>
public sealed class KeyRotationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task DataWrittenUnderAnOldKeyStaysReadableAfterANewKeyBecomesCurrent()
    {
        var ward = await RecordsSetup.WardAsync(api);
        var before = await ward.Doctor.PostAsJsonAsync(ward.Url("notes"), new { kind = "progress", body = "Written before the rotation." });
        var beforeId = (await before.Content.ReadFromJsonAsync<NoteDto>())!.Id;
        var registered = await ward.Doctor.PostAsJsonAsync($"/api/v1/clinics/{ward.ClinicId}/patients", new
        {
            givenName = "Rota",
            familyName = "Tion",
            dateOfBirth = "1970-05-05",
            sex = "female",
            nationalId = "123-45-6789",
        });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        await using var rotated = new RotatedKeyApiFactory(api);
        await rotated.InitializeAsync();
        var doctor = await rotated.ClientForAsync(ward.DoctorAccount);
        var oldNote = await doctor.GetFromJsonAsync<NoteDto>(ward.Url($"notes/{beforeId}"));
        var after = await doctor.PostAsJsonAsync(ward.Url("notes"), new { kind = "progress", body = "Written after the rotation." });
        var afterId = (await after.Content.ReadFromJsonAsync<NoteDto>())!.Id;
        var lookup = await doctor.PostAsJsonAsync($"/api/v1/clinics/{ward.ClinicId}/patients/lookup", new { nationalId = "123456789" });

        Assert.Equal("Written before the rotation.", oldNote!.Body);
        Assert.StartsWith("v1.test1.", await RecordsSetup.RawAsync(api, $"SELECT body_encrypted FROM clinical_notes WHERE id = '{beforeId}'"), StringComparison.Ordinal);
        Assert.StartsWith($"v1.{RotatedKeyApiFactory.KeyId}.", await RecordsSetup.RawAsync(api, $"SELECT body_encrypted FROM clinical_notes WHERE id = '{afterId}'"), StringComparison.Ordinal);
        Assert.Equal("Tion", Assert.Single((await lookup.Content.ReadFromJsonAsync<List<PatientDto>>())!).FamilyName);
    }

    /// <summary>A second instance over the same database whose key list puts a new key before the old one.</summary>
    private sealed class RotatedKeyApiFactory : ApiFactory
    {
        public const string KeyId = "rotated2";

        public RotatedKeyApiFactory(ApiFactory first) => SharedDatabaseUrl = first.DatabaseUrl;

        protected override Dictionary<string, string?> Settings()
        {
            var settings = base.Settings();
            settings["DATA_ENCRYPTION_KEYS"] = $"{KeyId}:{Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))},{TestKeys.DataEncryptionKeys}";
            return settings;
        }
    }
}
