using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Healthcare.Core.Messaging;
using Microsoft.Extensions.Options;

namespace Healthcare.Worker.Notifications;

/// <summary>
/// Sends a text message through the provider's HTTP webhook: a JSON body signed with HMAC-SHA256 over
/// "{timestamp}.{body}" (<c>X-Signature: sha256=...</c>, <c>X-Timestamp</c>), and the notification id as
/// <c>Idempotency-Key</c> so the provider can drop a repeat. Any answer but 2xx is a failure to retry.
/// </summary>
public sealed class WebhookSmsSender(HttpClient http, IOptions<NotificationOptions> options, TimeProvider clock)
{
    public const string HttpClientName = "sms-webhook";

    public async Task SendAsync(Notification notification, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var body = JsonSerializer.Serialize(new { id = notification.Id, to = notification.Recipient, text = notification.Body }, JsonSerializerOptions.Web);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(
            Encoding.UTF8.GetBytes(settings.SmsWebhookSecret!), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.SmsWebhookUrl)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Timestamp", timestamp);
        request.Headers.Add("X-Signature", $"sha256={signature}");
        request.Headers.Add("Idempotency-Key", notification.Id.ToString());
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
