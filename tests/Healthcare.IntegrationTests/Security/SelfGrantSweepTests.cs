using System.Net;
using System.Net.Http.Json;
using Healthcare.Api.Features.Patients;
using Healthcare.Api.Features.Scheduling;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.IntegrationTests.Security;

/// <summary>
/// The self-grant class (threat model, "Self-grant"): every operation by which a caller could raise its own access,
/// or that of an account it controls, tried by every role against its own account and against a second account at a
/// sub-address of its own (an account it controls). Every attempt is refused with problem details (403 or 404; 400
/// naming the field for a token that proves nothing) and leaves a denied or failed row in the audit trail.
/// </summary>
public sealed class SelfGrantSweepTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Passphrase = "a long enough passphrase 1234";

    private static readonly string[] Roles =
        [ClinicRoles.ClinicAdmin, ClinicRoles.Doctor, ClinicRoles.Nurse, ClinicRoles.Receptionist, ClinicRoles.Patient, ClinicRoles.SuperAdmin];

    private static readonly string[] Targets = ["own", "controlled"];

    /// <summary>Each attempt returns the answer that decides it; the answer's request id finds its audit rows.</summary>
    private static readonly Dictionary<string, Func<Attempt, Task<HttpResponseMessage>>> Operations = new()
    {
        // Staff put the target's address on a record, offer a link and accept the claim that comes to that address.
        ["link"] = async a =>
        {
            var address = a.Target.Account.Email;
            if (await a.UpdatePatientEmailAsync(address) is { IsSuccessStatusCode: false } refused)
            {
                return refused;
            }

            if (await Attempt.Send(a.Caller.Client, HttpMethod.Post, $"/api/v1/clinics/{a.Clinic}/patients/{a.Patient}/account-link") is { IsSuccessStatusCode: false } offerRefused)
            {
                return offerRefused;
            }

            var token = await AccountFlows.TokenAsync(a.Api, OutboxKinds.PatientLinkOffer, p => p.GetProperty("patientId").GetGuid() == a.Patient);
            return await Attempt.Send(a.Target.Client, HttpMethod.Post, "/api/v1/me/patient-links", new { token });
        },
        ["invite"] = a => Attempt.Send(a.Caller.Client, HttpMethod.Post, $"/api/v1/clinics/{a.Clinic}/invitations",
            new { email = a.Target.Account.Email, role = ClinicRoles.ClinicAdmin }),
        ["role"] = a => Attempt.Send(a.Caller.Client, HttpMethod.Put, $"/api/v1/clinics/{a.Clinic}/members/{a.Target.Account.Id}/role",
            new { role = ClinicRoles.ClinicAdmin }),
        ["enable"] = async a =>
        {
            await a.Api.WithDbAsync(db => db.Users.Where(u => u.Id == a.Second.Account.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.IsDisabled, true)));
            return await Attempt.Send(a.Caller.Client, HttpMethod.Post, $"/api/v1/clinics/{a.Clinic}/members/{a.Target.Account.Id}/enable");
        },
        // The clinic asks its staff for a second factor that the target does not have.
        ["break-glass"] = async a =>
        {
            var security = await a.Colleague.Client.PutAsJsonAsync($"/api/v1/clinics/{a.Clinic}/security", new { requireStaffMfa = true });
            Assert.Equal(HttpStatusCode.NoContent, security.StatusCode);
            var target = await a.Api.ClientForAsync(a.Target.Account);
            return await Attempt.Send(target, HttpMethod.Post, $"/api/v1/patients/{a.Patient}/emergency-access", new { reason = "Unconscious in the waiting room, no history" });
        },
        // A download link used by the target after the caller's right to export was taken away, or never held.
        ["export-link"] = async a =>
        {
            // An administrator asks for the export and is then moved to a role without the right; others use a colleague's link.
            var exporter = a.Role == ClinicRoles.ClinicAdmin ? a.Caller : a.Colleague;
            var requested = await exporter.Client.PostAsJsonAsync($"/api/v1/clinics/{a.Clinic}/exports", new { fromDate = "2027-01-04", toDate = "2027-01-05" });
            Assert.Equal(HttpStatusCode.Accepted, requested.StatusCode);
            var link = (await requested.Content.ReadFromJsonAsync<ExportRequestedDto>())!.DownloadUrl;
            if (exporter == a.Caller)
            {
                await a.Colleague.Client.PutAsJsonAsync($"/api/v1/clinics/{a.Clinic}/members/{a.Caller.Account.Id}/role", new { role = ClinicRoles.Receptionist });
            }

            var target = await a.Api.ClientForAsync(a.Target.Account);
            return await Attempt.Send(target, HttpMethod.Get, link);
        },
        // A reset link that has expired: the only way to a password is the mail to the account's address, in time.
        ["password-reset"] = async a =>
        {
            await a.Api.CreateClient().PostAsJsonAsync("/api/v1/auth/forgot-password", new { email = a.Target.Account.Email });
            var token = await AccountFlows.TokenSentToAsync(a.Api, OutboxKinds.PasswordResetEmail, a.Target.Account.Email);
            await a.Api.WithDbAsync(db => db.PasswordResets.Where(r => r.UserId == a.Target.Account.Id)
                .ExecuteUpdateAsync(r => r.SetProperty(x => x.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1))));
            return await Attempt.Send(a.Caller.Client, HttpMethod.Post, "/api/v1/auth/reset-password", new { token, newPassword = Passphrase + " reset" });
        },
        // No endpoint turns off another account's second factor; one's own needs the password and a current code.
        ["mfa-reset"] = a => Attempt.Send(a.Target.Client, HttpMethod.Post, "/api/v1/auth/mfa/disable", new { password = a.Target.Account.Password, code = "000000" }),
        // Sessions are managed by their owner alone: ending (or keeping) another account's session is not found.
        ["session"] = async a =>
        {
            var other = a.Target == a.Caller ? a.Second : a.Caller;
            var session = await a.Api.WithDbAsync(db => db.Sessions.Where(s => s.UserId == other.Account.Id).Select(s => s.Id).FirstAsync());
            return await Attempt.Send(a.Target.Client, HttpMethod.Delete, $"/api/v1/auth/sessions/{session}");
        },
    };

    public static TheoryData<string, string, string> Attempts()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var operation in Operations.Keys)
        {
            foreach (var role in Roles)
            {
                foreach (var target in Targets)
                {
                    data.Add(operation, role, target);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Attempts))]
    public async Task EverySelfGrantIsRefusedAndAudited(string operation, string role, string target)
    {
        var attempt = await Attempt.PrepareAsync(api, role, target);

        using var answer = await Operations[operation](attempt);

        var status = answer.StatusCode;
        Assert.True(status is HttpStatusCode.Forbidden or HttpStatusCode.NotFound or HttpStatusCode.UnprocessableEntity or HttpStatusCode.BadRequest,
            $"{operation} by {role} on its {target} account answered {(int)status}: {await answer.Content.ReadAsStringAsync()}");
        var problem = await ProblemAssert.StatusAsync(answer, status);
        if (status == HttpStatusCode.BadRequest)
        {
            Assert.True(problem.TryGetProperty("errors", out _), problem.ToString());
        }

        var requestId = answer.Headers.GetValues("X-Request-Id").Single();
        var outcomes = await api.WithDbAsync(db => db.AuditEvents.Where(e => e.RequestId == requestId).Select(e => e.Outcome).ToListAsync());
        Assert.True(outcomes.Count > 0 && outcomes.All(o => o is "denied" or "failure"), $"{operation} by {role} on its {target} account: audit {string.Join(",", outcomes)}");
    }

    [Fact]
    public void EveryOperationOfTheThreatModelIsSwept()
    {
        var threatModel = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "security", "threat-model.md"));

        Assert.All(Operations.Keys, operation => Assert.Contains($"`{operation}`", threatModel, StringComparison.Ordinal));
    }

    private sealed record Person(TestAccount Account, HttpClient Client);

    /// <summary>A fresh clinic, a caller with <see cref="Role"/>, a second account at a sub-address of the caller's, a colleague administrator and a patient record.</summary>
    private sealed class Attempt
    {
        public required ApiFactory Api { get; init; }

        public required string Role { get; init; }

        public required Guid Clinic { get; init; }

        public required Guid Patient { get; init; }

        public required Person Caller { get; init; }

        public required Person Second { get; init; }

        public required Person Colleague { get; init; }

        public required Person Target { get; init; }

        public static async Task<Attempt> PrepareAsync(ApiFactory api, string role, string target)
        {
            var clinic = (await api.CreateClinicAsync()).Id;
            var colleague = await api.CreateUserAsync(ClinicRoles.ClinicAdmin, clinic);
            var caller = await api.CreateUserAsync(role, role == ClinicRoles.SuperAdmin ? null : clinic);
            var second = await SecondAccountAsync(api, caller, clinic);
            var colleagueClient = await api.ClientForAsync(colleague);
            var created = await colleagueClient.PostAsJsonAsync($"/api/v1/clinics/{clinic}/patients",
                new { givenName = "Sam", familyName = "Sweep", dateOfBirth = "1970-07-07", sex = "male", email = $"sam.{Guid.NewGuid():N}@example.com" });
            var callerPerson = new Person(caller, await api.ClientForAsync(caller));
            var secondPerson = new Person(second, await api.ClientForAsync(second));
            return new Attempt
            {
                Api = api,
                Role = role,
                Clinic = clinic,
                Patient = (await created.Content.ReadFromJsonAsync<PatientCreatedDto>())!.Patient.Id,
                Caller = callerPerson,
                Second = secondPerson,
                Colleague = new Person(colleague, colleagueClient),
                Target = target == "own" ? callerPerson : secondPerson,
            };
        }

        public async Task<HttpResponseMessage> UpdatePatientEmailAsync(string email)
        {
            var url = $"/api/v1/clinics/{Clinic}/patients/{Patient}";
            var current = await Colleague.Client.GetAsync(url);
            using var request = new HttpRequestMessage(HttpMethod.Put, url)
            {
                Content = JsonContent.Create(new { givenName = "Sam", familyName = "Sweep", dateOfBirth = "1970-07-07", sex = "male", email }),
            };
            request.Headers.IfMatch.ParseAdd(current.Headers.ETag!.Tag);
            return await Caller.Client.SendAsync(request);
        }

        public static async Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string url, object? body = null)
        {
            using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
            return await client.SendAsync(request);
        }

        /// <summary>An account the caller controls: confirmed, at a sub-address of the caller's own, a patient of the clinic.</summary>
        private static async Task<TestAccount> SecondAccountAsync(ApiFactory api, TestAccount caller, Guid clinic)
        {
            var email = caller.Email.Replace("@", "+second@", StringComparison.Ordinal);
            var id = await api.WithDbAsync(async db =>
            {
                var user = new User { Email = email, DisplayName = "Second self", PasswordHash = PasswordHashing.Hash(Passphrase), EmailVerifiedAt = DateTimeOffset.UtcNow };
                user.Memberships.Add(new ClinicMembership { ClinicId = clinic, Role = ClinicRoles.Patient });
                db.Users.Add(user);
                await db.SaveChangesAsync();
                return user.Id;
            });
            return new TestAccount(id, email, Passphrase);
        }
    }
}
