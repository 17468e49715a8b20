using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Healthcare.Core.Messaging;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace Healthcare.Testing;

/// <summary>
/// The flows a person completes from a message the worker would deliver: the token is read from the outbox row,
/// as the recipient would read it in their e-mail.
/// </summary>
public static class AccountFlows
{
    /// <summary>The token of the newest outbox message of <paramref name="kind"/> whose payload matches.</summary>
    public static async Task<string> TokenAsync(ApiFactory api, string kind, Func<JsonElement, bool> matches)
    {
        var payloads = await api.WithDbAsync(db => db.OutboxMessages.Where(m => m.Kind == kind).OrderBy(m => m.CreatedAt).Select(m => m.Payload).ToListAsync());
        var payload = payloads.Select(p => JsonDocument.Parse(p).RootElement).Last(matches);
        return payload.GetProperty("token").GetString()!;
    }

    public static Task<string> TokenSentToAsync(ApiFactory api, string kind, string email) =>
        TokenAsync(api, kind, p => p.GetProperty("to").GetString() == email);

    /// <summary>Registers a patient account and confirms its address, as its owner would.</summary>
    public static async Task<TestAccount> RegisterConfirmedAsync(ApiFactory api, string email, string password, string displayName = "Pat Client")
    {
        var client = api.CreateClient();
        var register = await client.PostAsJsonAsync("/api/v1/auth/register", new { email, password, displayName });
        Assert.Equal(HttpStatusCode.Accepted, register.StatusCode);
        var token = await TokenSentToAsync(api, OutboxKinds.VerifyEmail, email);
        var verify = await client.PostAsJsonAsync("/api/v1/auth/verify-email", new { token });
        Assert.Equal(HttpStatusCode.NoContent, verify.StatusCode);
        var id = await api.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());
        return new TestAccount(id, email, password);
    }

    /// <summary>Staff offer a link to the record; the patient, signed in, accepts the claim sent to the record's contact.</summary>
    public static async Task LinkAsync(ApiFactory api, HttpClient staff, Guid clinicId, Guid patientId, HttpClient patient)
    {
        var offer = await staff.PostAsync($"/api/v1/clinics/{clinicId}/patients/{patientId}/account-link", null);
        Assert.Equal(HttpStatusCode.Accepted, offer.StatusCode);
        var token = await TokenAsync(api, OutboxKinds.PatientLinkOffer, p => p.GetProperty("patientId").GetGuid() == patientId);
        var accept = await patient.PostAsJsonAsync("/api/v1/me/patient-links", new { token });
        Assert.Equal(HttpStatusCode.OK, accept.StatusCode);
    }
}
