using System.Net;
using System.Net.Http.Json;
using Healthcare.Api.Features.Identity;
using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Platform;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.IntegrationTests.Identity;

public sealed class LoginTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task DoctorLogsInAndSeesTheirClinicRole()
    {
        var clinic = await api.CreateClinicAsync();
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        var client = await api.ClientForAsync(doctor);

        var me = await client.GetFromJsonAsync<MeResponse>("/api/v1/me");

        Assert.Equal(doctor.Id, me!.Id);
        Assert.False(me.IsSuperAdmin);
        var membership = Assert.Single(me.Memberships);
        Assert.Equal((clinic.Id, ClinicRoles.Doctor), (membership.ClinicId, membership.Role));
    }

    [Fact]
    public async Task EmailIsMatchedCaseInsensitively()
    {
        var clinic = await api.CreateClinicAsync();
        var nurse = await api.CreateUserAsync(ClinicRoles.Nurse, clinic.Id);

        var response = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { email = "  " + nurse.Email.ToUpperInvariant(), password = nurse.Password });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task WrongPasswordAndUnknownEmailGetTheSameAnswer()
    {
        var clinic = await api.CreateClinicAsync();
        var receptionist = await api.CreateUserAsync(ClinicRoles.Receptionist, clinic.Id);
        var client = api.CreateClient();

        var wrongPassword = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = receptionist.Email, password = "not the password at all" });
        var unknownEmail = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = "nobody@tests.healthcare.test", password = "not the password at all" });

        var a = await ProblemDetailsTests.AssertProblemAsync(wrongPassword, HttpStatusCode.Unauthorized);
        var b = await ProblemDetailsTests.AssertProblemAsync(unknownEmail, HttpStatusCode.Unauthorized);
        Assert.Equal(a.GetProperty("title").GetString(), b.GetProperty("title").GetString());
    }

    [Fact]
    public async Task DisabledAccountCannotLogIn()
    {
        var clinic = await api.CreateClinicAsync();
        var account = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        await api.WithDbAsync(db => db.Users.Where(u => u.Id == account.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.IsDisabled, true)));

        var response = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { email = account.Email, password = account.Password });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task StoredHashesUseTheCurrentIterationCount()
    {
        var clinic = await api.CreateClinicAsync();
        var account = await api.CreateUserAsync(ClinicRoles.Patient, clinic.Id);

        var hash = await api.WithDbAsync(db => db.Users.Where(u => u.Id == account.Id).Select(u => u.PasswordHash).SingleAsync());

        // Identity v3 format: 0x01, PRF (2 = HMAC-SHA512), iteration count, all big-endian.
        var bytes = Convert.FromBase64String(hash);
        Assert.Equal(1, bytes[0]);
        Assert.Equal(2, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));
        Assert.Equal(PasswordHashing.Iterations, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(5)));
    }
}
