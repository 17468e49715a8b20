using System.Net;
using System.Net.Http.Json;
using Healthcare.Api.Features.Patients;
using Healthcare.Api.Platform;
using Healthcare.Core.Audit;
using Healthcare.Core.Configuration;
using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Platform;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Healthcare.IntegrationTests.Patients;

public sealed class PatientsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task ReceptionistRegistersAndReadsAPatientAndBothAreAudited()
    {
        var (clinic, client) = await StaffAsync(ClinicRoles.Receptionist);

        var created = await client.PostAsJsonAsync($"/api/v1/clinics/{clinic}/patients", NewPatient("Roe", "Jane"));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.NotNull(created.Headers.ETag);
        var patient = (await created.Content.ReadFromJsonAsync<PatientCreatedDto>())!.Patient;
        Assert.Equal($"/api/v1/clinics/{clinic}/patients/{patient.Id}", created.Headers.Location!.OriginalString);
        var read = await client.GetAsync(created.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(created.Headers.ETag, read.Headers.ETag);
        var rows = await api.WithDbAsync(db => db.AuditEvents.Where(e => e.PatientId == patient.Id).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal([(AuditActions.Create, "success"), (AuditActions.Read, "success")], rows.Select(r => (r.Action, r.Outcome)));
        Assert.All(rows, r => Assert.Equal((clinic, ClinicRoles.Receptionist), (r.ClinicId!.Value, r.UserRole)));
    }

    [Fact]
    public async Task PhoneNumbersAreStoredInE164AndImpossibleOnesAreRefusedNamingTheField()
    {
        var (clinic, client) = await StaffAsync(ClinicRoles.Receptionist);

        var created = await client.PostAsJsonAsync($"/api/v1/clinics/{clinic}/patients", NewPatient("Dial", "Ann"));
        var shortNumber = await client.PostAsJsonAsync($"/api/v1/clinics/{clinic}/patients", NewPatient("Dial", "Bo") with { Phone = "555" });
        var noCountry = await client.PostAsJsonAsync($"/api/v1/clinics/{clinic}/patients", NewPatient("Dial", "Cy") with { Address = null });
        var badContact = await client.PostAsJsonAsync($"/api/v1/clinics/{clinic}/patients", NewPatient("Dial", "Di") with
        {
            EmergencyContacts = [new Healthcare.Core.Patients.EmergencyContact("Sam Roe", "spouse", "12")],
        });

        var patient = (await created.Content.ReadFromJsonAsync<PatientCreatedDto>())!.Patient;
        Assert.Equal("+12175550123", patient.Phone);
        Assert.Equal("+12175550124", patient.EmergencyContacts[0].Phone);
        await ProblemAssert.FieldAsync(shortNumber, HttpStatusCode.BadRequest, "phone");
        await ProblemAssert.FieldAsync(noCountry, HttpStatusCode.BadRequest, "phone");
        await ProblemAssert.FieldAsync(badContact, HttpStatusCode.BadRequest, "emergencyContacts[0].phone");
    }

    [Fact]
    public async Task NationalIdIsEncryptedAtRestWriteOnlyAndFoundByExactLookup()
    {
        var (clinic, client) = await StaffAsync(ClinicRoles.Receptionist);
        var created = await client.PostAsJsonAsync($"/api/v1/clinics/{clinic}/patients", NewPatient("Doe", "John") with { NationalId = "078-05-1120", InsuranceMemberId = "XKJ-992-117" });
        var body = await created.Content.ReadAsStringAsync();
        var id = (await created.Content.ReadFromJsonAsync<PatientCreatedDto>())!.Patient.Id;

        var raw = await RawAsync($"SELECT national_id_encrypted || ' ' || insurance_member_id_encrypted FROM patients WHERE id = '{id}'");
        var lookup = await client.PostAsJsonAsync($"/api/v1/clinics/{clinic}/patients/lookup", new { nationalId = "078 05 1120" });
        var byMember = await client.PostAsJsonAsync($"/api/v1/clinics/{clinic}/patients/lookup", new { insuranceMemberId = "xkj992117" });

        Assert.DoesNotContain("078-05-1120", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("0780511", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("XKJ", raw, StringComparison.Ordinal);
        Assert.StartsWith("v1.test1.", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("078-05", body, StringComparison.Ordinal);
        Assert.Contains("\"nationalIdLast4\":\"1120\"", body, StringComparison.Ordinal);
        Assert.Equal(id, Assert.Single((await lookup.Content.ReadFromJsonAsync<List<PatientDto>>())!).Id);
        Assert.Equal(id, Assert.Single((await byMember.Content.ReadFromJsonAsync<List<PatientDto>>())!).Id);
    }

    [Fact]
    public async Task SameNameAndBirthDateIsFlaggedAsALikelyDuplicate()
    {
        var (clinic, client) = await StaffAsync(ClinicRoles.Nurse);
        var first = await (await client.PostAsJsonAsync($"/api/v1/clinics/{clinic}/patients", NewPatient("Müller", "Zoë"))).Content.ReadFromJsonAsync<PatientCreatedDto>();

        var second = await (await client.PostAsJsonAsync($"/api/v1/clinics/{clinic}/patients", NewPatient("MULLER", " zoe "))).Content.ReadFromJsonAsync<PatientCreatedDto>();

        Assert.Empty(first!.PossibleDuplicates);
        Assert.Equal([first.Patient.Id], second!.PossibleDuplicates);
    }

    [Fact]
    public async Task UpdatesNeedTheCurrentETag()
    {
        var (clinic, client) = await StaffAsync(ClinicRoles.Receptionist);
        var created = await client.PostAsJsonAsync($"/api/v1/clinics/{clinic}/patients", NewPatient("Stone", "Ada"));
        var url = created.Headers.Location!;
        var etag = created.Headers.ETag!.Tag;
        var change = NewPatient("Stone", "Ada") with { Phone = "+1 212 555 0100" };

        var missing = await client.PutAsJsonAsync(url, change);
        var ok = await SendWithIfMatchAsync(client, url, change, etag);
        var stale = await SendWithIfMatchAsync(client, url, change with { Phone = "+1 212 555 0199" }, etag);

        await ProblemDetailsTests.AssertProblemAsync(missing, HttpStatusCode.PreconditionRequired);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.NotEqual(etag, ok.Headers.ETag!.Tag);
        await ProblemDetailsTests.AssertProblemAsync(stale, HttpStatusCode.PreconditionFailed);
        Assert.Equal("+12125550100", (await client.GetFromJsonAsync<PatientDto>(url))!.Phone);
    }

    [Fact]
    public async Task SearchByNamePrefixAndBirthDatePagesThroughResults()
    {
        var (clinic, client) = await StaffAsync(ClinicRoles.Doctor);
        foreach (var given in new[] { "Ann", "Bea", "Cal" })
        {
            await client.PostAsJsonAsync($"/api/v1/clinics/{clinic}/patients", NewPatient("Pagewood", given));
        }

        await client.PostAsJsonAsync($"/api/v1/clinics/{clinic}/patients", NewPatient("Other", "Person"));

        var first = await client.GetFromJsonAsync<Page<PatientDto>>($"/api/v1/clinics/{clinic}/patients?name=pagew&limit=2");
        var second = await client.GetFromJsonAsync<Page<PatientDto>>(first!.Next);
        var byBirth = await client.GetFromJsonAsync<Page<PatientDto>>($"/api/v1/clinics/{clinic}/patients?dateOfBirth=1980-02-29");
        var unknown = await client.GetAsync($"/api/v1/clinics/{clinic}/patients?name=p&sort=ssn");

        Assert.Equal(2, first.Items.Count);
        Assert.Single(second!.Items);
        Assert.Null(second.Next);
        Assert.Equal(["Ann", "Bea", "Cal"], first.Items.Concat(second.Items).Select(p => p.GivenName).Order());
        Assert.Equal(4, byBirth!.Items.Count);
        var problem = await ProblemDetailsTests.AssertProblemAsync(unknown, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("sort", out _));
    }

    [Fact]
    public async Task AnotherClinicsPatientIsNotFoundByItsStaff()
    {
        var (clinic, client) = await StaffAsync(ClinicRoles.Receptionist);
        var (otherClinic, otherClient) = await StaffAsync(ClinicRoles.Receptionist);
        var theirs = (await (await otherClient.PostAsJsonAsync($"/api/v1/clinics/{otherClinic}/patients", NewPatient("Hidden", "Harriet")))
            .Content.ReadFromJsonAsync<PatientCreatedDto>())!.Patient.Id;

        var viaOwnClinic = await client.GetAsync($"/api/v1/clinics/{clinic}/patients/{theirs}");
        var viaTheirClinic = await client.GetAsync($"/api/v1/clinics/{otherClinic}/patients/{theirs}");

        Assert.Equal(HttpStatusCode.NotFound, viaOwnClinic.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, viaTheirClinic.StatusCode);
    }

    [Fact]
    public async Task RefusedWriteStoresNothingAndIsAuditedAsAFailure()
    {
        var (clinic, client) = await StaffAsync(ClinicRoles.Receptionist);

        var response = await client.PostAsJsonAsync($"/api/v1/clinics/{clinic}/patients", NewPatient("Invalid", "Ivy") with { Sex = "robot" });

        var problem = await ProblemDetailsTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("sex", out _));
        Assert.Equal(0, await api.WithDbAsync(db => db.Patients.CountAsync(p => p.ClinicId == clinic)));
        var rows = await api.WithDbAsync(db => db.AuditEvents.Where(e => e.ClinicId == clinic).Select(e => e.Action + "/" + e.Outcome + "/" + e.ResourceType).ToListAsync());
        Assert.Equal(["create/failure/Patient"], rows);
    }

    private static PatientRequest NewPatient(string family, string given) => new(
        given, family, new DateOnly(1980, 2, 29), "female", null, "(217) 555-0123", null,
        new Healthcare.Core.Patients.Address("1 Main St", null, "Springfield", "IL", "62701", "US"), "en",
        [new Healthcare.Core.Patients.EmergencyContact("Sam Roe", "spouse", "217 555 0124")], "Acme Health", null, null);

    private async Task<(Guid Clinic, HttpClient Client)> StaffAsync(string role)
    {
        var clinic = await api.CreateClinicAsync();
        return (clinic.Id, await api.ClientForAsync(await api.CreateUserAsync(role, clinic.Id)));
    }

    private static async Task<HttpResponseMessage> SendWithIfMatchAsync(HttpClient client, Uri url, PatientRequest body, string etag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = JsonContent.Create(body) };
        request.Headers.IfMatch.ParseAdd(etag);
        return await client.SendAsync(request);
    }

    private async Task<string> RawAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(api.DatabaseUrl).ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
