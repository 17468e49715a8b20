using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Healthcare.Core.Identity;
using Healthcare.Core.Messaging;
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
        using var hanging = await accepted.WaitAsync(TimeSpan.FromSeconds(30));
        await first.KillAsync();

        using var smtp = SimpleSmtpServer.Start(FreePort.Next());
        await using var second = await StartWorkerAsync(smtp.Configuration.Port);
        for (var i = 0; i < 100 && smtp.ReceivedEmailCount == 0; i++)
        {
            await Task.Delay(200);
        }

        await Task.Delay(TimeSpan.FromSeconds(6));
        var message = Assert.Single(smtp.ReceivedEmail);
        Assert.Equal(account.Email, message.ToAddresses.Single().Address);
        var notification = await api.WithDbAsync(db => db.Notifications.AsNoTracking().SingleAsync(n => n.Recipient == account.Email));
        Assert.Equal((NotificationStatus.Sent, 1), (notification.Status, notification.Attempts));
    }

    private async Task<HostProcess> StartWorkerAsync(int smtpPort)
    {
        var settings = HostProcess.WorkerSettings(api.DatabaseUrl);
        settings["NOTIFY_EMAIL_CHANNEL"] = "smtp";
        settings["SMTP_HOST"] = "127.0.0.1";
        settings["SMTP_PORT"] = smtpPort.ToString(CultureInfo.InvariantCulture);
        settings["SMTP_TIMEOUT_SECONDS"] = "120";
        return await HostProcess.StartServingAsync(RepositoryPaths.WorkerDll, settings);
    }
}
