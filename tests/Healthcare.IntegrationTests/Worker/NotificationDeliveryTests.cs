using System.Globalization;
using System.Net.Http.Json;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Healthcare.IntegrationTests.Scheduling;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using netDumbster.smtp;

namespace Healthcare.IntegrationTests.Worker;

/// <summary>
/// The real worker process against the API's database and an SMTP server in the test: outbox rows written by
/// API requests become e-mails, each sent once, with links and without clinical content.
/// </summary>
public sealed class NotificationDeliveryTests(ApiFactory api) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    private SimpleSmtpServer? _smtp;
    private HostProcess? _worker;

    public Task InitializeAsync() => Fixture.StartOrDisposeAsync(StartAsync, DisposeAsync);

    private async Task StartAsync()
    {
        _smtp = SimpleSmtpServer.Start(FreePort.Next());
        var settings = HostProcess.WorkerSettings(api.DatabaseUrl);
        settings["NOTIFY_EMAIL_CHANNEL"] = "smtp";
        settings["SMTP_HOST"] = "127.0.0.1";
        settings["SMTP_PORT"] = _smtp.Configuration.Port.ToString(CultureInfo.InvariantCulture);
        settings["PUBLIC_APP_URL"] = "https://app.healthcare.test";
        _worker = await HostProcess.StartServingAsync(RepositoryPaths.WorkerDll, settings);
    }

    public async Task DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.DisposeAsync();
        }

        _smtp?.Dispose();
    }

    [Fact]
    public async Task APasswordResetRequestBecomesOneEmailWithTheResetLink()
    {
        var clinic = await api.CreateClinicAsync();
        var account = await api.CreateUserAsync(ClinicRoles.Nurse, clinic.Id);

        var response = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/forgot-password", new { email = account.Email });

        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var email = await ReceivedAsync(account.Email);
        Assert.Equal("Reset your password", email.Subject);
        Assert.Contains("https://app.healthcare.test/reset-password?token=", email.MessageParts[0].BodyData, StringComparison.Ordinal);
        // The mail server has the message a moment before the worker commits it as sent.
        var notification = await api.WithDbAsync(db => db.Notifications.SingleAsync(n => n.Recipient == account.Email));
        for (var i = 0; i < TestTimeouts.Polls(50) && notification.Status == NotificationStatus.Pending; i++)
        {
            await Task.Delay(100);
            notification = await api.WithDbAsync(db => db.Notifications.AsNoTracking().SingleAsync(n => n.Recipient == account.Email));
        }

        Assert.Equal((NotificationStatus.Sent, 1), (notification.Status, notification.Attempts));
        Assert.NotNull(await api.WithDbAsync(db => db.OutboxMessages.Where(m => m.Kind == OutboxKinds.PasswordResetEmail).Select(m => m.ProcessedAt).SingleAsync()));

        // Another poll cycle later there is still exactly one message.
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.Single(_smtp!.ReceivedEmail, m => m.ToAddresses.Any(a => a.Address == account.Email));
    }

    [Fact]
    public async Task ALinkOfferGoesToTheAddressOnTheRecordWithItsClaim()
    {
        var setup = await ClinicSetup.CreateAsync(api, patients: 1);
        var address = $"patient.{Guid.NewGuid():N}@tests.healthcare.test";
        await api.WithDbAsync(db => db.Patients.Where(p => p.Id == setup.PatientIds[0]).ExecuteUpdateAsync(p => p.SetProperty(x => x.Email, address)));
        var staff = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));

        var offer = await staff.PostAsync($"/api/v1/clinics/{setup.ClinicId}/patients/{setup.PatientIds[0]}/account-link", null);

        Assert.Equal(System.Net.HttpStatusCode.Accepted, offer.StatusCode);
        var email = await ReceivedAsync(address);
        var token = await AccountFlows.TokenAsync(api, OutboxKinds.PatientLinkOffer, p => p.GetProperty("patientId").GetGuid() == setup.PatientIds[0]);
        Assert.Contains($"https://app.healthcare.test/link-record?token={token}", email.MessageParts[0].BodyData.Replace("=\r\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain(token, await offer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABookingConfirmationTellsThePatientWhenAndWhereButNotWhy()
    {
        var setup = await ClinicSetup.CreateAsync(api, patients: 1);
        var address = $"patient.{Guid.NewGuid():N}@tests.healthcare.test";
        await api.WithDbAsync(db => db.Patients.Where(p => p.Id == setup.PatientIds[0]).ExecuteUpdateAsync(p => p.SetProperty(x => x.Email, address)));
        var staff = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
        var startsAt = ClinicSetup.Local(4, 10, 30);

        var booked = await staff.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(startsAt));

        Assert.Equal(System.Net.HttpStatusCode.Created, booked.StatusCode);
        var email = await ReceivedAsync(address);
        Assert.StartsWith("Appointment confirmed", email.Subject, StringComparison.Ordinal);
        var body = email.MessageParts[0].BodyData;
        Assert.Contains(startsAt.ToString("dddd d MMMM yyyy 'at' 10:30", CultureInfo.InvariantCulture), body, StringComparison.Ordinal);
        Assert.Contains("Hello Pat0", body, StringComparison.Ordinal);
        Assert.Equal(setup.PatientIds[0], await api.WithDbAsync(db => db.Notifications.Where(n => n.Recipient == address).Select(n => n.PatientId).SingleAsync()));
        var listed = await staff.GetFromJsonAsync<Healthcare.Api.Platform.Page<Healthcare.Api.Features.Patients.NotificationDto>>(
            $"/api/v1/clinics/{setup.ClinicId}/patients/{setup.PatientIds[0]}/notifications");
        Assert.Equal(Healthcare.Core.Messaging.OutboxKinds.AppointmentBooked, Assert.Single(listed!.Items).Template);
    }

    [Fact]
    public async Task APatientWhoPrefersSpanishGetsTheConfirmationInSpanish()
    {
        var setup = await ClinicSetup.CreateAsync(api, patients: 1);
        var address = $"paciente.{Guid.NewGuid():N}@tests.healthcare.test";
        await api.WithDbAsync(db => db.Patients.Where(p => p.Id == setup.PatientIds[0])
            .ExecuteUpdateAsync(p => p.SetProperty(x => x.Email, address).SetProperty(x => x.PreferredLanguage, "es-MX")));
        var staff = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
        var startsAt = ClinicSetup.Local(4, 10, 30);

        var booked = await staff.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(startsAt));

        Assert.Equal(System.Net.HttpStatusCode.Created, booked.StatusCode);
        var email = await ReceivedAsync(address);
        Assert.StartsWith("Cita confirmada", email.Subject, StringComparison.Ordinal);
        var body = email.MessageParts[0].BodyData;
        Assert.Contains("Hola Pat0", body, StringComparison.Ordinal);
        Assert.Contains(startsAt.ToString("dddd d 'de' MMMM 'de' yyyy 'a las' 10:30", CultureInfo.GetCultureInfo("es")), body, StringComparison.Ordinal);
        Assert.Equal("es", await api.WithDbAsync(db => db.Notifications.Where(n => n.Recipient == address).Select(n => n.Language).SingleAsync()));
    }

    [Fact]
    public async Task TheDeliveryJobContinuesTheTraceOfTheBookingRequest()
    {
        var setup = await ClinicSetup.CreateAsync(api, patients: 1);
        var address = $"traced.{Guid.NewGuid():N}@tests.healthcare.test";
        await api.WithDbAsync(db => db.Patients.Where(p => p.Id == setup.PatientIds[0]).ExecuteUpdateAsync(p => p.SetProperty(x => x.Email, address)));
        var staff = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
        var traceId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/clinics/{setup.ClinicId}/appointments")
        {
            Content = JsonContent.Create(setup.Booking(ClinicSetup.Local(5, 11))),
        };
        request.Headers.Add("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))}-01");

        var booked = await staff.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.Created, booked.StatusCode);
        await ReceivedAsync(address);
        var outbox = await api.WithDbAsync(db => db.OutboxMessages
            .Where(m => m.Kind == OutboxKinds.AppointmentBooked).Select(m => m.TraceParent).ToListAsync());
        Assert.Single(outbox, traceParent => traceParent is not null && traceParent.Contains(traceId, StringComparison.Ordinal));
        var jobParameters = await api.WithDbAsync(db => db.Database
            .SqlQuery<string>($"SELECT value AS \"Value\" FROM hangfire.jobparameter WHERE name = 'traceparent'").ToListAsync());
        Assert.Contains(jobParameters, value => value.Contains(traceId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnExportIsBuiltByTheWorkerAndDownloadedThroughItsLinkUntilItExpires()
    {
        var setup = await ClinicSetup.CreateAsync(api, patients: 2);
        foreach (var (patient, hour) in new[] { (0, 10), (1, 11) })
        {
            Assert.Equal(System.Net.HttpStatusCode.Created, (await (await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId)))
                .PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(ClinicSetup.Local(3, hour), patient))).StatusCode);
        }

        var adminAccount = await api.CreateUserAsync(ClinicRoles.ClinicAdmin, setup.ClinicId);
        var admin = await api.ClientForAsync(adminAccount);
        var day = ClinicSetup.Local(3, 0).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        var requested = await admin.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/exports", new { fromDate = day, toDate = day });

        Assert.Equal(System.Net.HttpStatusCode.Accepted, requested.StatusCode);
        var export = (await requested.Content.ReadFromJsonAsync<Healthcare.Api.Features.Scheduling.ExportRequestedDto>())!;
        var status = export.Export;
        for (var i = 0; i < TestTimeouts.Polls(100) && status.Status == "pending"; i++)
        {
            await Task.Delay(200);
            status = (await admin.GetFromJsonAsync<Healthcare.Api.Features.Scheduling.ExportDto>(requested.Headers.Location))!;
        }

        Assert.Equal(("ready", 2), (status.Status, status.RowCount ?? 0));
        var download = await admin.GetAsync(export.DownloadUrl);
        var csv = await download.Content.ReadAsStringAsync();
        Assert.Equal("text/csv", download.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("appointment_id,starts_at,", csv, StringComparison.Ordinal);
        Assert.Equal(3, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains(",Ient,Pat1,", csv, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await admin.GetAsync(export.DownloadUrl[..^4] + "AAAA")).StatusCode);
        // The link is the requester's alone: without a token, or with another administrator's, it leads nowhere.
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await api.CreateClient().GetAsync(export.DownloadUrl)).StatusCode);
        var otherAdmin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, setup.ClinicId));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await otherAdmin.GetAsync(export.DownloadUrl)).StatusCode);
        var audit = await api.WithDbAsync(db => db.AuditEvents
            .Where(e => e.Action == Healthcare.Core.Audit.AuditActions.Export && e.ClinicId == setup.ClinicId && e.Outcome == "success").ToListAsync());
        Assert.Equal(2, audit.Count);
        Assert.All(audit, e => Assert.Equal(adminAccount.Id, e.UserId));

        await api.WithDbAsync(db => db.AppointmentExports.Where(e => e.Id == status.Id)
            .ExecuteUpdateAsync(e => e.SetProperty(x => x.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(-1))));
        Assert.Equal(System.Net.HttpStatusCode.Gone, (await admin.GetAsync(export.DownloadUrl)).StatusCode);
    }

    private async Task<SmtpMessage> ReceivedAsync(string address)
    {
        for (var i = 0; i < TestTimeouts.Polls(100); i++)
        {
            if (_smtp!.ReceivedEmail.FirstOrDefault(m => m.ToAddresses.Any(a => a.Address == address)) is { } message)
            {
                return message;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"No e-mail reached the test SMTP server within {TestTimeouts.Scaled(TimeSpan.FromSeconds(20))}. Worker output:\n{_worker!.Describe()}");
    }
}
