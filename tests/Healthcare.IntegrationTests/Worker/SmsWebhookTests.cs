using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
using Healthcare.IntegrationTests.Scheduling;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;

namespace Healthcare.IntegrationTests.Worker;

/// <summary>A patient with a phone number and no e-mail address gets a text message through the signed webhook.</summary>
public sealed class SmsWebhookTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Secret = "test-webhook-secret-0123456789abcdef";

    [Fact]
    public async Task TheWebhookCallIsSignedAndA500FromTheProviderIsRetried()
    {
        var calls = new ConcurrentQueue<(string Body, string Timestamp, string Signature, string Key)>();
        // The provider fails the first call.
        using var receiver = StartProvider(calls, count => count == 1 ? 500 : 200, out var port);
        var settings = HostProcess.WorkerSettings(api.DatabaseUrl);
        settings["SMS_WEBHOOK_URL"] = $"http://127.0.0.1:{port}/sms/";
        settings["SMS_WEBHOOK_SECRET"] = Secret;
        await using var worker = await HostProcess.StartServingAsync(RepositoryPaths.WorkerDll, settings);
        var setup = await ClinicSetup.CreateAsync(api, patients: 1);
        await api.WithDbAsync(db => db.Patients.Where(p => p.Id == setup.PatientIds[0])
            .ExecuteUpdateAsync(p => p.SetProperty(x => x.Phone, "+12125550147").SetProperty(x => x.Email, (string?)null)));
        var staff = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));

        Assert.Equal(HttpStatusCode.Created, (await staff.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(ClinicSetup.Local(6, 9)))).StatusCode);

        Notification? notification = null;
        for (var i = 0; i < TestTimeouts.Polls(150) && notification?.Status != NotificationStatus.Sent; i++)
        {
            await Task.Delay(200);
            notification = await api.WithDbAsync(db => db.Notifications.AsNoTracking().SingleOrDefaultAsync(n => n.PatientId == setup.PatientIds[0]));
        }

        Assert.Equal((NotificationStatus.Sent, NotificationChannels.Sms, 2), (notification!.Status, notification.Channel, notification.Attempts));
        Assert.Equal(2, calls.Count);
        foreach (var (body, timestamp, signature, key) in calls)
        {
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
            Assert.Equal(expected, signature);
            Assert.Equal(notification.Id.ToString(), key);
            var json = JsonDocument.Parse(body).RootElement;
            Assert.Equal("+12125550147", json.GetProperty("to").GetString());
            Assert.Contains("your appointment is booked for", json.GetProperty("text").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ANotificationTheProviderKeepsRefusingEndsFailedAndShowsInTheApiAndTheDashboard()
    {
        var calls = new ConcurrentQueue<(string Body, string Timestamp, string Signature, string Key)>();
        using var receiver = StartProvider(calls, _ => 500, out var port);
        var settings = HostProcess.WorkerSettings(api.DatabaseUrl);
        settings["SMS_WEBHOOK_URL"] = $"http://127.0.0.1:{port}/sms/";
        settings["SMS_WEBHOOK_SECRET"] = Secret;
        // Retries a second apart instead of minutes: the same path, quickly.
        settings["WORKER_RETRY_BASE_SECONDS"] = "1";
        settings["WORKER_RETRY_MAX_SECONDS"] = "1";
        settings["WORKER_SCHEDULE_POLL_SECONDS"] = "1";
        await using var worker = await HostProcess.StartServingAsync(RepositoryPaths.WorkerDll, settings);
        var setup = await ClinicSetup.CreateAsync(api, patients: 1);
        await api.WithDbAsync(db => db.Patients.Where(p => p.Id == setup.PatientIds[0])
            .ExecuteUpdateAsync(p => p.SetProperty(x => x.Phone, "+12125550148").SetProperty(x => x.Email, (string?)null)));
        var staff = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, setup.ClinicId));
        Assert.Equal(HttpStatusCode.Created, (await staff.PostAsJsonAsync($"/api/v1/clinics/{setup.ClinicId}/appointments", setup.Booking(ClinicSetup.Local(6, 9)))).StatusCode);

        Notification? notification = null;
        for (var i = 0; i < TestTimeouts.Polls(300) && notification?.Status != NotificationStatus.Failed; i++)
        {
            await Task.Delay(200);
            notification = await api.WithDbAsync(db => db.Notifications.AsNoTracking().SingleOrDefaultAsync(n => n.PatientId == setup.PatientIds[0]));
        }

        Assert.Equal((NotificationStatus.Failed, Notification.MaxAttempts), (notification!.Status, notification.Attempts));
        Assert.Equal(Notification.MaxAttempts, calls.Count);
        Assert.DoesNotContain("+1212", notification.LastError, StringComparison.Ordinal);
        var listed = await staff.GetFromJsonAsync<JsonElement>(
            $"/api/v1/clinics/{setup.ClinicId}/patients/{setup.PatientIds[0]}/notifications?status=failed");
        var item = Assert.Single(listed.GetProperty("items").EnumerateArray());
        Assert.Equal((notification.Id.ToString(), "failed"), (item.GetProperty("id").GetString(), item.GetProperty("status").GetString()));
        var browser = Admin.AdminBrowser.For(api);
        await browser.SignInOrFailAsync(await api.CreateUserAsync(ClinicRoles.SuperAdmin));
        var failedPage = await browser.Client.GetStringAsync("/queue-dashboard/jobs/failed");
        Assert.Contains("NotificationDelivery", failedPage, StringComparison.Ordinal);
        Assert.DoesNotContain("+12125550148", failedPage, StringComparison.Ordinal);
    }

    /// <summary>A notification provider on loopback that records each call and answers with <paramref name="status"/>(call number).</summary>
    private static HttpListener StartProvider(
        ConcurrentQueue<(string Body, string Timestamp, string Signature, string Key)> calls, Func<int, int> status, out int port)
    {
        port = FreePort.Next();
        var receiver = new HttpListener { Prefixes = { $"http://127.0.0.1:{port}/sms/" } };
        receiver.Start();
        _ = Task.Run(async () =>
        {
            while (receiver.IsListening)
            {
                var context = await receiver.GetContextAsync();
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                calls.Enqueue((await reader.ReadToEndAsync(), context.Request.Headers["X-Timestamp"] ?? "", context.Request.Headers["X-Signature"] ?? "", context.Request.Headers["Idempotency-Key"] ?? ""));
                context.Response.StatusCode = status(calls.Count);
                context.Response.Close();
            }
        });
        return receiver;
    }
}
