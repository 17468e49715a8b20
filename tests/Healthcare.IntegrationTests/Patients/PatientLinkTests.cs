using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Features.Patients;
using Healthcare.Api.Features.Records;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Healthcare.Core.Patients;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.IntegrationTests.Patients;

/// <summary>
/// A patient record reaches an account only through the patient: staff offer a link, the claim goes to the contact
/// details on the record, and someone signed in with a confirmed address accepts it; never the staff member who
/// offered it or set those details.
/// </summary>
public sealed class PatientLinkTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Passphrase = "the patient's own passphrase 31";

    [Fact]
    public async Task StaffCanNoLongerLinkARecordToAnAccountOfTheirChoosing()
    {
        var (clinic, receptionistAccount, receptionist) = await StaffAsync(ClinicRoles.Receptionist);
        var patientId = await CreatePatientAsync(receptionist, clinic, email: $"ana.{Guid.NewGuid():N}@example.com");

        var direct = await receptionist.PostAsJsonAsync($"/api/v1/clinics/{clinic}/patients/{patientId}/account", new { email = receptionistAccount.Email });
        var withAccount = await receptionist.PostAsJsonAsync($"/api/v1/clinics/{clinic}/patients/{patientId}/account-link", new { email = receptionistAccount.Email });

        Assert.True(direct.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, direct.StatusCode.ToString());
        await ProblemAssert.FieldAsync(withAccount, HttpStatusCode.BadRequest, "email");
        Assert.Equal(HttpStatusCode.NotFound, (await receptionist.GetAsync($"/api/v1/me/patients/{patientId}/summary")).StatusCode);
        Assert.Null(await UserOfAsync(patientId));
    }

    [Fact]
    public async Task AnOfferGoesToTheRecordsContactAndLinksTheRecordOnlyWhenThePatientAcceptsIt()
    {
        var (clinic, _, receptionist) = await StaffAsync(ClinicRoles.Receptionist);
        var address = $"ana.{Guid.NewGuid():N}@example.com";
        var patientId = await CreatePatientAsync(receptionist, clinic, email: address);
        var patient = await api.ClientForAsync(await AccountFlows.RegisterConfirmedAsync(api, $"ana.own.{Guid.NewGuid():N}@tests.healthcare.test", Passphrase));

        var offer = await receptionist.PostAsync($"/api/v1/clinics/{clinic}/patients/{patientId}/account-link", null);
        var offered = await receptionist.GetFromJsonAsync<PatientLinkDto>($"/api/v1/clinics/{clinic}/patients/{patientId}/account-link");
        var beforeAccepting = await patient.GetAsync($"/api/v1/me/patients/{patientId}/summary");
        var token = await OfferTokenAsync(patientId);
        var accept = await patient.PostAsJsonAsync("/api/v1/me/patient-links", new { token });
        var replay = await patient.PostAsJsonAsync("/api/v1/me/patient-links", new { token });

        Assert.Equal(HttpStatusCode.Accepted, offer.StatusCode);
        var body = await offer.Content.ReadAsStringAsync();
        Assert.DoesNotContain(token, body, StringComparison.Ordinal);
        Assert.Equal(PatientLinkChannels.Email, JsonDocument.Parse(body).RootElement.GetProperty("channel").GetString());
        Assert.False(offered!.Linked);
        Assert.NotNull(offered.PendingOffer);
        Assert.Equal(HttpStatusCode.NotFound, beforeAccepting.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accept.StatusCode);
        Assert.Equal(patientId, (await accept.Content.ReadFromJsonAsync<LinkedRecordDto>())!.PatientId);
        await ProblemAssert.FieldAsync(replay, HttpStatusCode.BadRequest, "token");
        Assert.Equal(HttpStatusCode.OK, (await patient.GetAsync($"/api/v1/me/patients/{patientId}/summary")).StatusCode);
        Assert.Contains((await patient.GetFromJsonAsync<List<MyPatientRecordDto>>("/api/v1/me/patients"))!, r => r.PatientId == patientId);
        var linked = await receptionist.GetFromJsonAsync<PatientLinkDto>($"/api/v1/clinics/{clinic}/patients/{patientId}/account-link");
        Assert.True(linked!.Linked);
        Assert.Null(linked.PendingOffer);
        var sent = await OfferPayloadAsync(patientId);
        Assert.Equal(address, await RecipientAsync(sent));
        Assert.Contains(await AuditAsync(patientId), e => e is { Action: "link-offer", Outcome: "success" });
        Assert.Contains(await AuditAsync(patientId), e => e is { Action: "link", Outcome: "success", Reason: null });
    }

    [Fact]
    public async Task AnOfferToARecordWithoutContactDetailsIsRefusedAndAPhoneOnlyRecordGetsAText()
    {
        var (clinic, _, receptionist) = await StaffAsync(ClinicRoles.Receptionist);
        var none = await CreatePatientAsync(receptionist, clinic);
        var phoneOnly = await CreatePatientAsync(receptionist, clinic, phone: "+1 212 555 0142");

        var refused = await receptionist.PostAsync($"/api/v1/clinics/{clinic}/patients/{none}/account-link", null);
        var texted = await receptionist.PostAsync($"/api/v1/clinics/{clinic}/patients/{phoneOnly}/account-link", null);

        await ProblemAssert.FieldAsync(refused, HttpStatusCode.BadRequest, "email");
        Assert.Equal(PatientLinkChannels.Sms, (await texted.Content.ReadFromJsonAsync<PatientLinkOfferDto>())!.Channel);
    }

    [Fact]
    public async Task StaffCannotAcceptAnOfferTheySentOrWhoseContactDetailsTheySetNorWithTheirSecondMailbox()
    {
        var (clinic, receptionistAccount, receptionist) = await StaffAsync(ClinicRoles.Receptionist);
        var nurse = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Nurse, clinic));
        var patientId = await CreatePatientAsync(receptionist, clinic, email: $"ana.{Guid.NewGuid():N}@example.com");
        // The receptionist puts their own address on the record, so that the claim comes to them.
        await ChangeEmailAsync(receptionist, clinic, patientId, receptionistAccount.Email);

        await receptionist.PostAsync($"/api/v1/clinics/{clinic}/patients/{patientId}/account-link", null);
        var sentByThem = await receptionist.PostAsJsonAsync("/api/v1/me/patient-links", new { token = await OfferTokenAsync(patientId) });
        await nurse.PostAsync($"/api/v1/clinics/{clinic}/patients/{patientId}/account-link", null);
        var contactSetByThem = await receptionist.PostAsJsonAsync("/api/v1/me/patient-links", new { token = await OfferTokenAsync(patientId) });
        var second = await AccountFlows.RegisterConfirmedAsync(api, receptionistAccount.Email.Replace("@", "+second@", StringComparison.Ordinal), Passphrase);
        var secondMailbox = await (await api.ClientForAsync(second)).PostAsJsonAsync("/api/v1/me/patient-links", new { token = await OfferTokenAsync(patientId) });

        foreach (var refusal in new[] { sentByThem, contactSetByThem, secondMailbox })
        {
            var problem = await ProblemAssert.StatusAsync(refusal, HttpStatusCode.Forbidden);
            Assert.True(problem.GetProperty("selfGrant").GetBoolean());
        }

        Assert.Null(await UserOfAsync(patientId));
        Assert.Equal(3, (await AuditAsync(patientId)).Count(e => e is { Action: "link", Outcome: "denied", Reason: SelfGrants.Reason }));
    }

    [Fact]
    public async Task AStaffMemberWhoIsAlsoThePatientLinksThroughTheSameAcceptanceFlaggedAndReportedToTheAdmins()
    {
        var (clinic, _, receptionist) = await StaffAsync(ClinicRoles.Receptionist);
        var admin = await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic);
        var nurseAccount = await api.CreateUserAsync(ClinicRoles.Nurse, clinic);
        var nurse = await api.ClientForAsync(nurseAccount);
        var patientId = await CreatePatientAsync(receptionist, clinic, email: nurseAccount.Email);

        await AccountFlows.LinkAsync(api, receptionist, clinic, patientId, nurse);

        Assert.Equal(nurseAccount.Id, await UserOfAsync(patientId));
        Assert.Contains(await AuditAsync(patientId), e => e is { Action: "link", Outcome: "success", Reason: PatientLinksApi.StaffAccountReason });
        var alerts = await PayloadsAsync(OutboxKinds.StaffAccountLinkAlert);
        Assert.Contains(alerts, a => a.GetProperty("to").GetString() == admin.Email);
        Assert.DoesNotContain(alerts, a => a.ToString().Contains(nurseAccount.Email, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ANewerOfferWithdrawsTheOlderAndUnlinkingEndsTheAccessAndIsAudited()
    {
        var (clinic, _, receptionist) = await StaffAsync(ClinicRoles.Receptionist);
        var patientId = await CreatePatientAsync(receptionist, clinic, email: $"ana.{Guid.NewGuid():N}@example.com");
        var patient = await api.ClientForAsync(await AccountFlows.RegisterConfirmedAsync(api, $"ana.own.{Guid.NewGuid():N}@tests.healthcare.test", Passphrase));

        await receptionist.PostAsync($"/api/v1/clinics/{clinic}/patients/{patientId}/account-link", null);
        var older = await OfferTokenAsync(patientId);
        await receptionist.PostAsync($"/api/v1/clinics/{clinic}/patients/{patientId}/account-link", null);
        var newer = await OfferTokenAsync(patientId);
        var withOlder = await patient.PostAsJsonAsync("/api/v1/me/patient-links", new { token = older });
        var withNewer = await patient.PostAsJsonAsync("/api/v1/me/patient-links", new { token = newer });
        var unlink = await receptionist.DeleteAsync($"/api/v1/clinics/{clinic}/patients/{patientId}/account-link");
        var unlinkAgain = await receptionist.DeleteAsync($"/api/v1/clinics/{clinic}/patients/{patientId}/account-link");

        await ProblemAssert.FieldAsync(withOlder, HttpStatusCode.BadRequest, "token");
        Assert.Equal(HttpStatusCode.OK, withNewer.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, unlink.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, unlinkAgain.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await patient.GetAsync($"/api/v1/me/patients/{patientId}/summary")).StatusCode);
        Assert.Contains(await AuditAsync(patientId), e => e is { Action: "unlink", Outcome: "success" });
    }

    [Fact]
    public async Task AnExpiredOfferIsRefusedAndStaffWithoutPatientsWriteCannotOffer()
    {
        var (clinic, _, receptionist) = await StaffAsync(ClinicRoles.Receptionist);
        var patientId = await CreatePatientAsync(receptionist, clinic, email: $"ana.{Guid.NewGuid():N}@example.com");
        var patient = await api.ClientForAsync(await AccountFlows.RegisterConfirmedAsync(api, $"ana.own.{Guid.NewGuid():N}@tests.healthcare.test", Passphrase));
        var patientMember = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Patient, clinic));

        await receptionist.PostAsync($"/api/v1/clinics/{clinic}/patients/{patientId}/account-link", null);
        var token = await OfferTokenAsync(patientId);
        await api.WithDbAsync(db => db.PatientLinkOffers.Where(o => o.PatientId == patientId)
            .ExecuteUpdateAsync(o => o.SetProperty(x => x.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1))));
        var late = await patient.PostAsJsonAsync("/api/v1/me/patient-links", new { token });
        var byPatientRole = await patientMember.PostAsync($"/api/v1/clinics/{clinic}/patients/{patientId}/account-link", null);

        await ProblemAssert.FieldAsync(late, HttpStatusCode.BadRequest, "token");
        await ProblemAssert.StatusAsync(byPatientRole, HttpStatusCode.Forbidden);
        Assert.Null(await UserOfAsync(patientId));
    }

    [Fact]
    public async Task SomeoneWhoRegisteredThePatientsAddressFirstCannotSignInSoCannotAcceptTheOffer()
    {
        var (clinic, _, receptionist) = await StaffAsync(ClinicRoles.Receptionist);
        var address = $"ana.{Guid.NewGuid():N}@example.com";
        await api.CreateClient().PostAsJsonAsync("/api/v1/auth/register", new { email = address, password = "the squatter's passphrase 99", displayName = "Mallory" });
        var patientId = await CreatePatientAsync(receptionist, clinic, email: address);

        await receptionist.PostAsync($"/api/v1/clinics/{clinic}/patients/{patientId}/account-link", null);
        var login = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { email = address, password = "the squatter's passphrase 99" });

        await ProblemAssert.StatusAsync(login, HttpStatusCode.Forbidden);
        Assert.Null(await UserOfAsync(patientId));
    }

    private async Task<(Guid Clinic, TestAccount Account, HttpClient Client)> StaffAsync(string role)
    {
        var clinic = await api.CreateClinicAsync();
        var account = await api.CreateUserAsync(role, clinic.Id);
        return (clinic.Id, account, await api.ClientForAsync(account));
    }

    private static async Task<Guid> CreatePatientAsync(HttpClient staff, Guid clinic, string? email = null, string? phone = null)
    {
        var created = await staff.PostAsJsonAsync($"/api/v1/clinics/{clinic}/patients", new
        {
            givenName = "Ana",
            familyName = "Linkwell",
            dateOfBirth = "1984-04-04",
            sex = "female",
            email,
            phone,
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<PatientCreatedDto>())!.Patient.Id;
    }

    private static async Task ChangeEmailAsync(HttpClient staff, Guid clinic, Guid patientId, string email)
    {
        var url = $"/api/v1/clinics/{clinic}/patients/{patientId}";
        var current = await staff.GetAsync(url);
        using var request = new HttpRequestMessage(HttpMethod.Put, url)
        {
            Content = JsonContent.Create(new { givenName = "Ana", familyName = "Linkwell", dateOfBirth = "1984-04-04", sex = "female", email }),
        };
        request.Headers.IfMatch.ParseAdd(current.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, (await staff.SendAsync(request)).StatusCode);
    }

    private Task<string> OfferTokenAsync(Guid patientId) =>
        AccountFlows.TokenAsync(api, OutboxKinds.PatientLinkOffer, p => p.GetProperty("patientId").GetGuid() == patientId);

    private async Task<JsonElement> OfferPayloadAsync(Guid patientId) =>
        (await PayloadsAsync(OutboxKinds.PatientLinkOffer)).Last(p => p.GetProperty("patientId").GetGuid() == patientId);

    /// <summary>Where the worker sends the offer: the record's own contact details, never an address from the request.</summary>
    private async Task<string?> RecipientAsync(JsonElement offer)
    {
        await using var db = TestServers.OpenDbContext(api.DatabaseUrl);
        var message = new OutboxMessage { Kind = OutboxKinds.PatientLinkOffer, Payload = offer.GetRawText() };
        var notification = await new NotificationComposer(db, "https://app.example").ComposeAsync(message, DateTimeOffset.UtcNow, CancellationToken.None);
        return notification?.Recipient;
    }

    private async Task<List<JsonElement>> PayloadsAsync(string kind) =>
        (await api.WithDbAsync(db => db.OutboxMessages.Where(m => m.Kind == kind).OrderBy(m => m.CreatedAt).Select(m => m.Payload).ToListAsync()))
            .Select(p => JsonDocument.Parse(p).RootElement).ToList();

    private Task<Guid?> UserOfAsync(Guid patientId) =>
        api.WithDbAsync(db => db.Patients.Where(p => p.Id == patientId).Select(p => p.UserId).SingleAsync());

    private Task<List<AuditRow>> AuditAsync(Guid patientId) =>
        api.WithDbAsync(db => db.AuditEvents.Where(e => e.PatientId == patientId && e.ResourceType == "PatientLink")
            .Select(e => new AuditRow(e.Action, e.Outcome, e.Reason)).ToListAsync());

    private sealed record AuditRow(string Action, string Outcome, string? Reason);
}
