using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Healthcare.IntegrationTests.Scheduling;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using netDumbster.smtp;

namespace Healthcare.IntegrationTests.Worker;

/// <summary>kill -9 of the worker in the middle of sending: after a restart the message goes out, exactly once.</summary>
public sealed class WorkerCrashTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task AWorkerKilledMidSendIsRestartedAndTheEmailArrivesExactlyOnce()
    {
        // A mail server that accepts the connection and then says nothing: the job hangs in the middle of sending.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = silent.AcceptTcpClientAsync();
        await using var first = await StartWorkerAsync(((IPEndPoint)silent.LocalEndpoint).Port);
        var clinic = await api.CreateClinicAsync();
        var account = await api.CreateUserAsync(ClinicRoles.Doctor, clinic.Id);

        var response = await api.CreateClient().PostAsJsonAsync("/api/v1/auth/forgot-password", new { email = account.Email });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        using var hanging = await accepted.WaitAsync(TestTimeouts.Scaled(TimeSpan.FromSeconds(30)));
        await first.KillAsync();

        using var smtp = SimpleSmtpServer.Start(FreePort.Next());
        await using var second = await StartWorkerAsync(smtp.Configuration.Port);
        for (var i = 0; i < TestTimeouts.Polls(100) && smtp.ReceivedEmailCount == 0; i++)
        {
            await Task.Delay(200);
        }

        await Task.Delay(TimeSpan.FromSeconds(6));
        var message = Assert.Single(smtp.ReceivedEmail);
        Assert.Equal(account.Email, message.ToAddresses.Single().Address);
        var notification = await api.WithDbAsync(db => db.Notifications.AsNoTracking().SingleAsync(n => n.Recipient == account.Email));
        Assert.Equal((NotificationStatus.Sent, 1), (notification.Status, notification.Attempts));
    }

    public static TheoryData<string> Channels => new() { NotificationChannels.Email, NotificationChannels.Sms };

    /// <summary>
    /// Every kind of message the worker sends (account e-mail, confirmations, changes, reminders, waitlist offers), by
    /// e-mail and by SMS: all of them hang in the middle of the send, the worker is killed, and after the restart each
    /// one reaches its recipient exactly once.
    /// </summary>
    [Theory]
    [MemberData(nameof(Channels))]
    public async Task EveryKindOfMessageCutOffByAWorkerKillIsSentExactlyOnceAfterTheRestart(string channel)
    {
        var kinds = new List<string>
        {
            OutboxKinds.AppointmentBooked, OutboxKinds.AppointmentRescheduled, OutboxKinds.AppointmentCancelled,
            OutboxKinds.AppointmentReminder, OutboxKinds.WaitlistOffer,
        };
        var setup = await ClinicSetup.CreateAsync(api, patients: kinds.Count);
        var staff = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
        var recipients = new List<string>();
        var outbox = new List<OutboxMessage>();
        for (var i = 0; i < kinds.Count; i++)
        {
            // Booked while the patient has no contact details, so the booking itself sends nothing.
            var booked = await staff.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(ClinicSetup.Local(40 + i, 10), i));
            Assert.Equal(HttpStatusCode.Created, booked.StatusCode);
            var appointment = (await booked.Content.ReadFromJsonAsync<Healthcare.Api.Features.Scheduling.AppointmentDto>())!;
            var recipient = channel == NotificationChannels.Sms
                ? $"+1212555{Random.Shared.Next(10000):D4}"
                : $"crash.{Guid.NewGuid():N}@tests.healthcare.test";
            var patientId = setup.PatientIds[i];
            var sms = channel == NotificationChannels.Sms;
            await api.WithDbAsync(db => db.Patients.Where(p => p.Id == patientId).ExecuteUpdateAsync(p => p
                .SetProperty(x => x.Phone, x => sms ? recipient : x.Phone)
                .SetProperty(x => x.Email, x => sms ? x.Email : recipient)));
            recipients.Add(recipient);
            outbox.Add(OutboxMessage.Create(kinds[i], new { appointmentId = appointment.Id }));
        }

        if (channel == NotificationChannels.Email)
        {
            var address = $"reset.{Guid.NewGuid():N}@tests.healthcare.test";
            kinds.Add(OutboxKinds.PasswordResetEmail);
            recipients.Add(address);
            outbox.Add(OutboxMessage.Create(OutboxKinds.PasswordResetEmail, new { to = address, name = "Test", token = "not-a-real-token" }));
        }

        await api.WithDbAsync(async db =>
        {
            await db.OutboxMessages.Where(m => m.ProcessedAt == null).ExecuteUpdateAsync(m => m.SetProperty(x => x.ProcessedAt, DateTimeOffset.UtcNow));
            db.OutboxMessages.AddRange(outbox);
            return await db.SaveChangesAsync();
        });

        // A mail server and an SMS provider that accept connections and then never answer: every send hangs.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var hanging = new ConcurrentBag<TcpClient>();
        _ = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    hanging.Add(await silent.AcceptTcpClientAsync());
                }
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                // The listener is stopped at the end of the test.
            }
        });
        var silentPort = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using (var first = await StartWorkerAsync(silentPort, $"http://127.0.0.1:{silentPort}/sms/"))
        {
            for (var i = 0; i < TestTimeouts.Polls(300) && hanging.Count < kinds.Count; i++)
            {
                await Task.Delay(100);
            }

            Assert.True(hanging.Count == kinds.Count, $"{hanging.Count} of {kinds.Count} sends started\n{first.Describe()}");
            await first.KillAsync();
        }

        foreach (var connection in hanging)
        {
            connection.Dispose();
        }

        using var smtp = SimpleSmtpServer.Start(FreePort.Next());
        var texts = new ConcurrentQueue<string>();
        using var provider = StartSmsProvider(texts, out var smsUrl);
        await using var second = await StartWorkerAsync(smtp.Configuration.Port, smsUrl);
        var ids = outbox.Select(m => $"outbox:{m.Id:N}").ToList();
        List<Notification> notifications = [];
        for (var i = 0; i < TestTimeouts.Polls(150) && !(notifications.Count == kinds.Count && notifications.All(n => n.Status == NotificationStatus.Sent)); i++)
        {
            await Task.Delay(200);
            notifications = await api.WithDbAsync(db => db.Notifications.AsNoTracking().Where(n => ids.Contains(n.DedupeKey)).ToListAsync());
        }

        // Another sweep and poll later, still nothing sent twice.
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.Equal(kinds.Count, notifications.Count);
        Assert.All(notifications, n => Assert.Equal((NotificationStatus.Sent, 1), (n.Status, n.Attempts)));
        Assert.Equal(kinds.Order(), notifications.Select(n => n.Template).Order());
        if (channel == NotificationChannels.Sms)
        {
            Assert.All(notifications, n => Assert.Equal(NotificationChannels.Sms, n.Channel));
            Assert.Equal(notifications.Select(n => n.Id.ToString()).Order(), texts.Order());
        }
        else
        {
            Assert.Equal(recipients.Order(), smtp.ReceivedEmail.Select(m => m.ToAddresses.Single().Address).Where(recipients.Contains).Order());
        }
    }

    /// <summary>An SMS provider that answers 200 and records each call's Idempotency-Key (the notification id).</summary>
    private static HttpListener StartSmsProvider(ConcurrentQueue<string> keys, out string url)
    {
        url = $"http://127.0.0.1:{FreePort.Next()}/sms/";
        var receiver = new HttpListener { Prefixes = { url } };
        receiver.Start();
        _ = Task.Run(async () =>
        {
            while (receiver.IsListening)
            {
                var context = await receiver.GetContextAsync();
                keys.Enqueue(context.Request.Headers["Idempotency-Key"] ?? "");
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });
        return receiver;
    }

    private async Task<HostProcess> StartWorkerAsync(int smtpPort, string? smsWebhookUrl = null)
    {
        var settings = HostProcess.WorkerSettings(api.DatabaseUrl);
        settings["NOTIFY_EMAIL_CHANNEL"] = "smtp";
        settings["SMTP_HOST"] = "127.0.0.1";
        settings["SMTP_PORT"] = smtpPort.ToString(CultureInfo.InvariantCulture);
        settings["SMTP_TIMEOUT_SECONDS"] = "120";
        if (smsWebhookUrl is not null)
        {
            settings["SMS_WEBHOOK_URL"] = smsWebhookUrl;
            settings["SMS_WEBHOOK_SECRET"] = "crash-test-webhook-secret-0123456789abcdef";
            settings["SMS_WEBHOOK_TIMEOUT_SECONDS"] = "120";
            // Room for every hanging send at once.
            settings["WORKER_CONCURRENCY_DEFAULT"] = "8";
            settings["WORKER_CONCURRENCY_CRITICAL"] = "4";
        }
        return await HostProcess.StartServingAsync(RepositoryPaths.WorkerDll, settings);
    }
}
