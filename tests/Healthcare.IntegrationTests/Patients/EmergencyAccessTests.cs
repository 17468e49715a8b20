using System.Net;
using System.Net.Http.Json;
using Healthcare.Api.Features.Audit;
using Healthcare.Api.Features.Identity;
using Healthcare.Api.Features.Patients;
using Healthcare.Core.Audit;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Healthcare.IntegrationTests.Platform;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.IntegrationTests.Patients;

public sealed class EmergencyAccessTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Reason = "Unconscious in our emergency room, need allergies and medications";

    [Fact]
    public async Task DoctorOfAnotherClinicOpensARecordWithAReasonAndEverythingIsFlagged()
    {
        var (patientClinic, patientId, _) = await PatientElsewhereAsync();
        var ownClinic = await api.CreateClinicAsync();
        var doctor = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Doctor, ownClinic.Id));
        Assert.Equal(HttpStatusCode.NotFound, (await doctor.GetAsync($"/api/v1/patients/{patientId}/emergency-access")).StatusCode);

        var open = await doctor.PostAsJsonAsync($"/api/v1/patients/{patientId}/emergency-access", new { reason = Reason });
        var read = await doctor.GetAsync($"/api/v1/patients/{patientId}/emergency-access");

        Assert.Equal(HttpStatusCode.Created, open.StatusCode);
        var grant = await open.Content.ReadFromJsonAsync<EmergencyAccessDto>();
        Assert.InRange(grant!.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(patientId, (await read.Content.ReadFromJsonAsync<PatientDto>())!.Id);
        var flagged = await api.WithDbAsync(db => db.AuditEvents.Where(e => e.PatientId == patientId && e.Action == AuditActions.BreakGlass).ToListAsync());
        Assert.Equal(2, flagged.Count);
        Assert.All(flagged, e => Assert.Equal((patientClinic, Reason), (e.ClinicId!.Value, e.Reason)));
        var alerts = await api.WithDbAsync(db => db.OutboxMessages.Where(m => m.Kind == OutboxKinds.BreakGlassAlert).Select(m => m.Payload).ToListAsync());
        Assert.Contains(alerts, a => a.Contains(grant.GrantId.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReceptionistsCannotBreakTheGlassAndReasonsMustSaySomething()
    {
        var (_, patientId, _) = await PatientElsewhereAsync();
        var ownClinic = await api.CreateClinicAsync();
        var receptionist = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, ownClinic.Id));
        var nurse = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Nurse, ownClinic.Id));

        var refused = await receptionist.PostAsJsonAsync($"/api/v1/patients/{patientId}/emergency-access", new { reason = Reason });
        var tooShort = await nurse.PostAsJsonAsync($"/api/v1/patients/{patientId}/emergency-access", new { reason = "urgent" });

        await ProblemDetailsTests.AssertProblemAsync(refused, HttpStatusCode.Forbidden);
        var problem = await ProblemDetailsTests.AssertProblemAsync(tooShort, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("reason", out _));
        // Refused attempts are in the audit trail too, and no grant was made.
        var attempts = await api.WithDbAsync(db => db.AuditEvents.Where(e => e.Action == AuditActions.BreakGlass && e.ResourceId == patientId.ToString()).ToListAsync());
        Assert.Contains(attempts, e => e.Outcome == AuditOutcomes.Denied);
        Assert.Equal(0, await api.WithDbAsync(db => db.EmergencyAccessGrants.CountAsync(g => g.PatientId == patientId)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AClinicThatRequiresStaffMfaAsksItOfBreakGlassToo(bool patientsClinicRequiresIt)
    {
        var (patientClinic, patientId, _) = await PatientElsewhereAsync();
        var ownClinic = await api.CreateClinicAsync();
        var strict = patientsClinicRequiresIt ? patientClinic : ownClinic.Id;
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, strict));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsJsonAsync($"/api/v1/clinics/{strict}/security", new { requireStaffMfa = true })).StatusCode);
        var account = await api.CreateUserAsync(ClinicRoles.Doctor, ownClinic.Id);
        var withoutMfa = await api.ClientForAsync(account);

        var refused = await withoutMfa.PostAsJsonAsync($"/api/v1/patients/{patientId}/emergency-access", new { reason = Reason });

        var problem = await ProblemDetailsTests.AssertProblemAsync(refused, HttpStatusCode.Forbidden);
        Assert.True(problem.GetProperty("mfaEnrolmentRequired").GetBoolean());
        Assert.Equal(0, await api.WithDbAsync(db => db.EmergencyAccessGrants.CountAsync(g => g.PatientId == patientId)));

        var secret = await MfaEnrolment.EnrolAsync(api.CreateClient(), account);
        var login = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { account.Email, account.Password, mfaCode = MfaEnrolment.NextCode(secret) });
        var withMfa = api.CreateClient();
        withMfa.DefaultRequestHeaders.Authorization = new("Bearer", (await login.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken);
        var open = await withMfa.PostAsJsonAsync($"/api/v1/patients/{patientId}/emergency-access", new { reason = Reason });

        Assert.Equal(HttpStatusCode.Created, open.StatusCode);
    }

    [Fact]
    public async Task PatientSeesWhoAccessedTheirRecord()
    {
        var (clinic, patientId, staff) = await PatientElsewhereAsync();
        var email = $"pat.{Guid.NewGuid():N}@tests.healthcare.test";
        const string password = "my own long passphrase 123";
        var patient = await api.ClientForAsync(await AccountFlows.RegisterConfirmedAsync(api, email, password));
        await AccountFlows.LinkAsync(api, staff, clinic, patientId, patient);
        var doctorAccount = await api.CreateUserAsync(ClinicRoles.Doctor, clinic);
        var doctor = await api.ClientForAsync(doctorAccount);
        await doctor.GetAsync($"/api/v1/clinics/{clinic}/patients/{patientId}");

        var log = await patient.GetFromJsonAsync<List<AccessLogEntryDto>>("/api/v1/me/access-log");

        var read = Assert.Single(log!, e => e.Action == AuditActions.Read && e.ActorRole == ClinicRoles.Doctor);
        Assert.Equal("Test doctor", read.ActorName);
        Assert.False(read.ByYou);
        Assert.NotNull(read.ClinicName);
        Assert.Contains(log!, e => e.Action == AuditActions.Create);
        var strangers = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Patient, clinic));
        Assert.Empty((await strangers.GetFromJsonAsync<List<AccessLogEntryDto>>("/api/v1/me/access-log"))!);
    }

    private async Task<(Guid Clinic, Guid Patient, HttpClient Staff)> PatientElsewhereAsync()
    {
        var clinic = await api.CreateClinicAsync();
        await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id);
        var receptionist = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, clinic.Id));
        var created = await receptionist.PostAsJsonAsync($"/api/v1/clinics/{clinic.Id}/patients", new
        {
            givenName = "Erin",
            familyName = "Mergency",
            dateOfBirth = "1975-06-01",
            sex = "female",
            email = $"erin.{Guid.NewGuid():N}@example.com",
        });
        return (clinic.Id, (await created.Content.ReadFromJsonAsync<PatientCreatedDto>())!.Patient.Id, receptionist);
    }
}
