using System.Net;
using System.Net.Http.Json;
using Healthcare.Core.Configuration;
using Healthcare.Core.Identity;
using Healthcare.Core.Practitioners;
using Healthcare.Core.Scheduling;
using Healthcare.IntegrationTests.Identity;
using Healthcare.Testing;
using Npgsql;

namespace Healthcare.IntegrationTests.Records;

/// <summary>A clinic with a doctor and a patient, and the address of the patient's record.</summary>
internal sealed record Ward(Guid ClinicId, Guid PatientId, TestAccount DoctorAccount, HttpClient Doctor)
{
    public string Url(string path) => $"/api/v1/clinics/{ClinicId}/patients/{PatientId}/{path}";
}

internal static class RecordsSetup
{
    public static async Task<Ward> WardAsync(ApiFactory api)
    {
        var clinic = await api.CreateClinicAsync();
        var doctor = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);
        var patient = await api.WithDbAsync(db => MatrixResources.PatientAsync(db, clinic.Id));
        return new Ward(clinic.Id, patient, doctor, await api.ClientForAsync(doctor));
    }

    public static async Task<HttpClient> StaffAsync(ApiFactory api, Ward ward, string role) =>
        await api.ClientForAsync(await api.CreateUserAsync(role, ward.ClinicId));

    /// <summary>A patient account of the ward's clinic linked to the ward's patient record.</summary>
    public static async Task<HttpClient> PatientClientAsync(ApiFactory api, Ward ward)
    {
        var account = await api.CreateUserAsync(ClinicRoles.Patient, ward.ClinicId);
        await api.WithDbAsync(async db =>
        {
            var patient = await db.Patients.FindAsync(ward.PatientId);
            patient!.UserId = account.Id;
            return await db.SaveChangesAsync();
        });
        return await api.ClientForAsync(account);
    }

    /// <summary>An appointment of the ward's patient starting at <paramref name="startsAt"/>, optionally moved on to <paramref name="status"/>.</summary>
    public static Task<Guid> AppointmentAsync(ApiFactory api, Ward ward, DateTimeOffset startsAt, string? status = null) => api.WithDbAsync(async db =>
    {
        var practitioner = new Practitioner { ClinicId = ward.ClinicId, DisplayName = "Dr. Summary", LicenceNumber = $"L-{Guid.NewGuid():N}" };
        var type = new AppointmentType { ClinicId = ward.ClinicId, Name = $"Visit {Guid.NewGuid():N}", Mode = VisitModes.InPerson, DurationMinutes = 30 };
        db.Practitioners.Add(practitioner);
        db.AppointmentTypes.Add(type);
        var appointment = Appointment.Book(ward.ClinicId, practitioner.Id, ward.PatientId, type, null, startsAt, null, DateTimeOffset.UtcNow);
        if (status is not null)
        {
            Assert.True(appointment.TryMoveTo(status, DateTimeOffset.UtcNow));
        }

        db.Appointments.Add(appointment);
        await db.SaveChangesAsync();
        return appointment.Id;
    });

    public static async Task<T> ReadAsync<T>(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<T>())!;
    }

    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, object? body = null, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (ifMatch is not null)
        {
            request.Headers.IfMatch.ParseAdd(ifMatch);
        }

        return await client.SendAsync(request);
    }

    public static async Task<string> RawAsync(ApiFactory api, string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(api.DatabaseUrl).ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    public static async Task SignAsync(Ward ward, Guid noteId)
    {
        var read = await ward.Doctor.GetAsync(ward.Url($"notes/{noteId}"));
        var signed = await SendAsync(ward.Doctor, HttpMethod.Post, ward.Url($"notes/{noteId}/sign"), ifMatch: read.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
    }
}
