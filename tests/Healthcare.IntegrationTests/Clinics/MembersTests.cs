using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Healthcare.Api.Features.Clinics;
using Healthcare.Api.Features.Identity;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Healthcare.IntegrationTests.Platform;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.IntegrationTests.Clinics;

public sealed class MembersTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Passphrase = "staff member passphrase 2026";

    [Fact]
    public async Task ClinicAdminSeesTheirOwnClinicsMembersAndNotAnothers()
    {
        var (clinic, admin) = await ClinicWithAdminAsync();
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic);
        var (otherClinic, _) = await ClinicWithAdminAsync();

        var own = await admin.GetFromJsonAsync<List<MemberDto>>($"/api/v1/clinics/{clinic}/members");
        var foreign = await admin.GetAsync($"/api/v1/clinics/{otherClinic}/members");

        Assert.Contains(own!, m => m.UserId == doctor.Id && m.Role == ClinicRoles.Doctor);
        await ProblemDetailsTests.AssertProblemAsync(foreign, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DoctorMayListMembersButNotManageThem()
    {
        var (clinic, _) = await ClinicWithAdminAsync();
        var doctor = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Doctor, clinic));
        var nurse = await api.CreateUserAsync(ClinicRoles.Nurse, clinic);

        Assert.Equal(HttpStatusCode.OK, (await doctor.GetAsync($"/api/v1/clinics/{clinic}/members")).StatusCode);
        var change = await doctor.PutAsJsonAsync($"/api/v1/clinics/{clinic}/members/{nurse.Id}/role", new { role = ClinicRoles.ClinicAdmin });
        await ProblemDetailsTests.AssertProblemAsync(change, HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task PatientCannotListStaff()
    {
        var (clinic, _) = await ClinicWithAdminAsync();
        var patient = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Patient, clinic));

        Assert.Equal(HttpStatusCode.Forbidden, (await patient.GetAsync($"/api/v1/clinics/{clinic}/members")).StatusCode);
    }

    [Fact]
    public async Task InvitedPersonCreatesTheirAccountAndJoinsWithTheRole()
    {
        var (clinic, admin) = await ClinicWithAdminAsync();
        var email = $"new.doctor.{Guid.NewGuid():N}@tests.healthcare.test";

        var invite = await admin.PostAsJsonAsync($"/api/v1/clinics/{clinic}/invitations", new { email, role = ClinicRoles.Doctor });
        Assert.Equal(HttpStatusCode.Accepted, invite.StatusCode);
        var token = await InvitationTokenAsync(email);

        var accept = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token, password = Passphrase, displayName = "Dr. New" });
        var again = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token, password = Passphrase, displayName = "Dr. New" });

        Assert.Equal(HttpStatusCode.NoContent, accept.StatusCode);
        await ProblemDetailsTests.AssertProblemAsync(again, HttpStatusCode.BadRequest);
        var me = await (await api.ClientForAsync(new TestAccount(Guid.Empty, email, Passphrase))).GetFromJsonAsync<MeResponse>("/api/v1/me");
        Assert.Equal((clinic, ClinicRoles.Doctor), (me!.Memberships.Single().ClinicId, me.Memberships.Single().Role));
    }

    [Fact]
    public async Task InvitationToAnExistingAccountNeedsThatAccountsPassword()
    {
        var (clinic, admin) = await ClinicWithAdminAsync();
        var (otherClinic, _) = await ClinicWithAdminAsync();
        var nurse = await api.CreateUserAsync(ClinicRoles.Nurse, otherClinic);
        await admin.PostAsJsonAsync($"/api/v1/clinics/{clinic}/invitations", new { email = nurse.Email, role = ClinicRoles.Nurse });
        var token = await InvitationTokenAsync(nurse.Email);
        var signedIn = await api.ClientForAsync(nurse);
        var before = await signedIn.GetAsync($"/api/v1/clinics/{clinic}");

        var stranger = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token, password = "someone else's passphrase" });
        var owner = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token, password = nurse.Password });
        var after = await signedIn.GetAsync($"/api/v1/clinics/{clinic}");

        var problem = await ProblemDetailsTests.AssertProblemAsync(stranger, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("password", out _));
        Assert.Equal(HttpStatusCode.NoContent, owner.StatusCode);
        Assert.Equal(2, await api.WithDbAsync(db => db.ClinicMemberships.CountAsync(m => m.UserId == nurse.Id)));
        // The roles cached for the signed-in account are forgotten: the new clinic opens without a new sign-in.
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.OK), (before.StatusCode, after.StatusCode));
    }

    [Fact]
    public async Task AcceptingForAnExistingAccountAsksItsSecondFactorAndIsThrottledLikeASignIn()
    {
        var (clinic, admin) = await ClinicWithAdminAsync();
        var (otherClinic, _) = await ClinicWithAdminAsync();
        var nurse = await api.CreateUserAsync(ClinicRoles.Nurse, otherClinic);
        var secret = await MfaEnrolment.EnrolAsync(api.CreateClient(), nurse);
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, otherClinic);
        await admin.PostAsJsonAsync($"/api/v1/clinics/{clinic}/invitations", new { email = nurse.Email, role = ClinicRoles.Nurse });
        await admin.PostAsJsonAsync($"/api/v1/clinics/{clinic}/invitations", new { email = doctor.Email, role = ClinicRoles.Doctor });
        var nurseToken = await InvitationTokenAsync(nurse.Email);
        var doctorToken = await InvitationTokenAsync(doctor.Email);
        var anonymous = api.CreateClient();

        var passwordOnly = await anonymous.PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token = nurseToken, password = nurse.Password });
        var wrongCode = await anonymous.PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token = nurseToken, password = nurse.Password, mfaCode = "000000" });
        var withCode = await anonymous.PostAsJsonAsync(
            "/api/v1/auth/accept-invitation", new { token = nurseToken, password = nurse.Password, mfaCode = MfaEnrolment.NextCode(secret) });
        var guesses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            guesses.Add((await anonymous.PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token = doctorToken, password = $"guess number {i} of many" })).StatusCode);
        }

        var rightButThrottled = await anonymous.PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token = doctorToken, password = doctor.Password });

        var problem = await ProblemDetailsTests.AssertProblemAsync(passwordOnly, HttpStatusCode.Unauthorized);
        Assert.True(problem.GetProperty("mfaRequired").GetBoolean());
        await ProblemDetailsTests.AssertProblemAsync(wrongCode, HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.NoContent, withCode.StatusCode);
        Assert.Equal(Enumerable.Repeat(HttpStatusCode.BadRequest, 5).Append(HttpStatusCode.TooManyRequests), guesses);
        await ProblemDetailsTests.AssertProblemAsync(rightButThrottled, HttpStatusCode.TooManyRequests);
        Assert.NotNull(rightButThrottled.Headers.RetryAfter);
        Assert.Equal(1, await api.WithDbAsync(db => db.ClinicMemberships.CountAsync(m => m.UserId == doctor.Id)));
    }

    [Fact]
    public async Task PatientsAreNotInvited()
    {
        var (clinic, admin) = await ClinicWithAdminAsync();

        var response = await admin.PostAsJsonAsync($"/api/v1/clinics/{clinic}/invitations", new { email = "p@tests.healthcare.test", role = ClinicRoles.Patient });

        var problem = await ProblemDetailsTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("role", out _));
    }

    [Fact]
    public async Task RoleChangeEndsTheMembersAccessTokensAndRefreshCarriesTheNewRole()
    {
        var (clinic, admin) = await ClinicWithAdminAsync();
        var receptionist = await api.CreateUserAsync(ClinicRoles.Receptionist, clinic);
        var tokens = await LoginAsync(receptionist);

        var change = await admin.PutAsJsonAsync($"/api/v1/clinics/{clinic}/members/{receptionist.Id}/role", new { role = ClinicRoles.Nurse });

        Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithToken(tokens.AccessToken).GetAsync("/api/v1/me")).StatusCode);
        var refreshed = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/refresh", new { tokens.RefreshToken });
        var newTokens = await refreshed.Content.ReadFromJsonAsync<TokenResponse>();
        var me = await WithToken(newTokens!.AccessToken).GetFromJsonAsync<MeResponse>("/api/v1/me");
        Assert.Equal(ClinicRoles.Nurse, me!.Memberships.Single().Role);
    }

    [Fact]
    public async Task AdminCannotChangeTheirOwnRole()
    {
        var (clinic, admin) = await ClinicWithAdminAsync();
        var me = await admin.GetFromJsonAsync<MeResponse>("/api/v1/me");

        var response = await admin.PutAsJsonAsync($"/api/v1/clinics/{clinic}/members/{me!.Id}/role", new { role = ClinicRoles.Doctor });

        var problem = await ProblemDetailsTests.AssertProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.True(problem.GetProperty("selfGrant").GetBoolean());
    }

    [Fact]
    public async Task ADisabledMemberIsEnabledAgainByAnAdminUnlessAPlatformAdministratorDisabledIt()
    {
        var (clinic, admin) = await ClinicWithAdminAsync();
        var platform = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.SuperAdmin));
        var byClinic = await api.CreateUserAsync(ClinicRoles.Doctor, clinic);
        var byPlatform = await api.CreateUserAsync(ClinicRoles.Nurse, clinic);
        await admin.PostAsync($"/api/v1/clinics/{clinic}/members/{byClinic.Id}/disable", null);
        await platform.PostAsync($"/api/v1/clinics/{clinic}/members/{byPlatform.Id}/disable", null);

        var enabled = await admin.PostAsync($"/api/v1/clinics/{clinic}/members/{byClinic.Id}/enable", null);
        var refused = await admin.PostAsync($"/api/v1/clinics/{clinic}/members/{byPlatform.Id}/enable", null);
        var byTheirPeer = await platform.PostAsync($"/api/v1/clinics/{clinic}/members/{byPlatform.Id}/enable", null);

        Assert.Equal(HttpStatusCode.NoContent, enabled.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { byClinic.Email, byClinic.Password })).StatusCode);
        await ProblemDetailsTests.AssertProblemAsync(refused, HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.NoContent, byTheirPeer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { byPlatform.Email, byPlatform.Password })).StatusCode);
    }

    [Fact]
    public async Task DisablingAnAccountEndsAllItsSessionsAtOnce()
    {
        var (clinic, admin) = await ClinicWithAdminAsync();
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic);
        var tokens = await LoginAsync(doctor);
        Assert.Equal(HttpStatusCode.OK, (await WithToken(tokens.AccessToken).GetAsync("/api/v1/me")).StatusCode);

        var disable = await admin.PostAsync($"/api/v1/clinics/{clinic}/members/{doctor.Id}/disable", null);

        Assert.Equal(HttpStatusCode.NoContent, disable.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithToken(tokens.AccessToken).GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CreateClient().PostAsJsonAsync("/api/v1/auth/refresh", new { tokens.RefreshToken })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { doctor.Email, doctor.Password })).StatusCode);
    }

    [Fact]
    public async Task AccountSharedWithAnotherClinicIsNotDisabledByOneClinicsAdmin()
    {
        var (clinic, admin) = await ClinicWithAdminAsync();
        var (otherClinic, _) = await ClinicWithAdminAsync();
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic);
        await api.WithDbAsync(async db =>
        {
            db.ClinicMemberships.Add(new ClinicMembership { ClinicId = otherClinic, UserId = doctor.Id, Role = ClinicRoles.Doctor });
            return await db.SaveChangesAsync();
        });

        var response = await admin.PostAsync($"/api/v1/clinics/{clinic}/members/{doctor.Id}/disable", null);

        await ProblemDetailsTests.AssertProblemAsync(response, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task RequestFieldsThatTheEndpointDoesNotDeclareAreRefused()
    {
        var (clinic, admin) = await ClinicWithAdminAsync();
        var (otherClinic, _) = await ClinicWithAdminAsync();

        var invite = await admin.PostAsJsonAsync($"/api/v1/clinics/{clinic}/invitations",
            new { email = "x@tests.healthcare.test", role = ClinicRoles.Doctor, clinicId = otherClinic });
        var register = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/register",
            new { email = $"m.{Guid.NewGuid():N}@tests.healthcare.test", password = Passphrase, displayName = "Mallory", isSuperAdmin = true });

        var inviteProblem = await ProblemDetailsTests.AssertProblemAsync(invite, HttpStatusCode.BadRequest);
        Assert.True(inviteProblem.GetProperty("errors").TryGetProperty("clinicId", out _), inviteProblem.ToString());
        var registerProblem = await ProblemDetailsTests.AssertProblemAsync(register, HttpStatusCode.BadRequest);
        Assert.True(registerProblem.GetProperty("errors").TryGetProperty("isSuperAdmin", out _), registerProblem.ToString());
        Assert.Equal(0, await api.WithDbAsync(db => db.Invitations.CountAsync(i => i.ClinicId == otherClinic)));
    }

    private async Task<(Guid Clinic, HttpClient Admin)> ClinicWithAdminAsync()
    {
        var clinic = await api.CreateClinicAsync();
        var admin = await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic.Id);
        return (clinic.Id, await api.ClientForAsync(admin));
    }

    private async Task<TokenResponse> LoginAsync(TestAccount account)
    {
        var response = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { account.Email, account.Password });
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())!;
    }

    private HttpClient WithToken(string accessToken)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", accessToken);
        return client;
    }

    private async Task<string> InvitationTokenAsync(string email)
    {
        var payloads = await api.WithDbAsync(db => db.OutboxMessages.Where(m => m.Kind == OutboxKinds.InvitationEmail).Select(m => m.Payload).ToListAsync());
        var payload = payloads.Select(p => JsonDocument.Parse(p).RootElement).Last(p => p.GetProperty("to").GetString() == email);
        return payload.GetProperty("token").GetString()!;
    }
}
