using System.Net;
using System.Text;
using System.Text.Json;
using Healthcare.Api.Platform;
using Healthcare.Core.Configuration;
using Healthcare.Core.Identity;
using Healthcare.Core.Platform;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Healthcare.IntegrationTests.Platform;

/// <summary><c>Idempotency-Key</c> on POST creates, exercised through the patient create endpoint.</summary>
public sealed class IdempotencyTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Body = """{"givenName":"Ada","familyName":"Retryworth","dateOfBirth":"1980-02-29","sex":"female"}""";

    [Fact]
    public async Task RetryWithTheSameKeyAndBodyGetsTheFirstAnswerAndCreatesOnePatient()
    {
        var (clinic, client) = await StaffAsync();
        var key = NewKey();

        var first = await PostAsync(client, clinic, Body, key);
        var retry = await PostAsync(client, clinic, Body, key);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.False(first.Headers.Contains(Idempotency.ReplayedHeader));
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal("true", Assert.Single(retry.Headers.GetValues(Idempotency.ReplayedHeader)));
        Assert.Equal(first.Headers.Location, retry.Headers.Location);
        Assert.Equal(first.Headers.ETag, retry.Headers.ETag);
        Assert.Equal(first.Content.Headers.ContentType, retry.Content.Headers.ContentType);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal(1, await PatientCountAsync(clinic));
        // The stored answer holds patient data, so it is encrypted at rest.
        var stored = await RawAsync($"SELECT response_body FROM idempotency_keys WHERE key = '{key}'");
        Assert.StartsWith("v1.test1.", stored, StringComparison.Ordinal);
        Assert.DoesNotContain("Retryworth", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameKeyWithADifferentBodyAnswers422()
    {
        var (clinic, client) = await StaffAsync();
        var key = NewKey();
        await PostAsync(client, clinic, Body, key);

        var other = await PostAsync(client, clinic, Body.Replace("Ada", "Bea", StringComparison.Ordinal), key);

        var problem = await ProblemDetailsTests.AssertProblemAsync(other, HttpStatusCode.UnprocessableEntity);
        Assert.True(problem.GetProperty("errors").TryGetProperty(Idempotency.KeyHeader, out _), problem.ToString());
        Assert.Equal(1, await PatientCountAsync(clinic));
    }

    [Fact]
    public async Task SameKeyForAnotherClinicAnswers422()
    {
        var first = await api.CreateClinicAsync();
        var second = await api.CreateClinicAsync();
        var admin = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.SuperAdmin));
        var key = NewKey();
        await PostAsync(admin, first.Id, Body, key);

        var elsewhere = await PostAsync(admin, second.Id, Body, key);

        await ProblemDetailsTests.AssertProblemAsync(elsewhere, HttpStatusCode.UnprocessableEntity);
        Assert.Equal(0, await PatientCountAsync(second.Id));
    }

    [Fact]
    public async Task KeysBelongToTheirCaller()
    {
        var (clinic, client) = await StaffAsync();
        var colleague = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, clinic));
        var key = NewKey();

        var mine = await PostAsync(client, clinic, Body, key);
        var theirs = await PostAsync(colleague, clinic, Body, key);

        Assert.Equal(HttpStatusCode.Created, mine.StatusCode);
        Assert.Equal(HttpStatusCode.Created, theirs.StatusCode);
        Assert.False(theirs.Headers.Contains(Idempotency.ReplayedHeader));
        Assert.NotEqual(mine.Headers.Location, theirs.Headers.Location);
        Assert.Equal(2, await PatientCountAsync(clinic));
    }

    [Fact]
    public async Task ConcurrentTwinsCreateExactlyOnePatient()
    {
        var (clinic, client) = await StaffAsync();
        var key = NewKey();

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => PostAsync(client, clinic, Body, key)));

        Assert.All(answers, a => Assert.Contains(a.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        var created = answers.Where(a => a.StatusCode == HttpStatusCode.Created).ToList();
        Assert.NotEmpty(created);
        Assert.Single(created.Select(a => a.Headers.Location).Distinct());
        foreach (var conflict in answers.Where(a => a.StatusCode == HttpStatusCode.Conflict))
        {
            await ProblemDetailsTests.AssertProblemAsync(conflict, HttpStatusCode.Conflict);
        }

        Assert.Equal(1, await PatientCountAsync(clinic));
    }

    [Fact]
    public async Task RetryWhileTheFirstRequestRunsAnswers409()
    {
        var (clinic, client) = await StaffAsync();
        var key = NewKey();
        await PostAsync(client, clinic, Body, key);
        // As if the first request were still running.
        await api.WithDbAsync(db => db.IdempotencyRecords.Where(r => r.Key == key)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.State, IdempotencyStates.Pending).SetProperty(r => r.ResponseStatus, (int?)null)));

        var retry = await PostAsync(client, clinic, Body, key);

        var problem = await ProblemDetailsTests.AssertProblemAsync(retry, HttpStatusCode.Conflict);
        Assert.Equal("A request with this key is still being processed.", problem.GetProperty("title").GetString());
        Assert.Equal(1, await PatientCountAsync(clinic));
    }

    [Fact]
    public async Task AbandonedReservationIsTakenOver()
    {
        var (clinic, client) = await StaffAsync();
        var key = NewKey();
        await PostAsync(client, clinic, Body, key);
        // As if the first request's process had died a while ago, before it could store its answer.
        await api.WithDbAsync(db => db.IdempotencyRecords.Where(r => r.Key == key).ExecuteUpdateAsync(s => s
            .SetProperty(r => r.State, IdempotencyStates.Pending)
            .SetProperty(r => r.ResponseStatus, (int?)null)
            .SetProperty(r => r.CreatedAt, DateTimeOffset.UtcNow - IdempotencyStore.AbandonedAfter - TimeSpan.FromSeconds(1))));

        var retry = await PostAsync(client, clinic, Body, key);

        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.False(retry.Headers.Contains(Idempotency.ReplayedHeader));
        Assert.Equal(2, await PatientCountAsync(clinic));
    }

    [Fact]
    public async Task ExpiredKeyRunsTheRequestAgain()
    {
        var (clinic, client) = await StaffAsync();
        var key = NewKey();
        var first = await PostAsync(client, clinic, Body, key);
        await api.WithDbAsync(db => db.IdempotencyRecords.Where(r => r.Key == key)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(-1))));

        var again = await PostAsync(client, clinic, Body, key);
        var replay = await PostAsync(client, clinic, Body, key);

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        Assert.False(again.Headers.Contains(Idempotency.ReplayedHeader));
        Assert.NotEqual(first.Headers.Location, again.Headers.Location);
        Assert.Equal(again.Headers.Location, replay.Headers.Location);
        Assert.True(replay.Headers.Contains(Idempotency.ReplayedHeader));
        Assert.Equal(2, await PatientCountAsync(clinic));
    }

    [Fact]
    public async Task RefusedRequestIsAFinalAnswerToo()
    {
        var (clinic, client) = await StaffAsync();
        var key = NewKey();
        var invalid = Body.Replace("female", "robot", StringComparison.Ordinal);

        var first = await PostAsync(client, clinic, invalid, key);
        var retry = await PostAsync(client, clinic, invalid, key);

        await ProblemDetailsTests.AssertProblemAsync(first, HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.BadRequest, retry.StatusCode);
        Assert.True(retry.Headers.Contains(Idempotency.ReplayedHeader));
        // Byte for byte the first answer: its requestId names the original request, whose log lines explain it.
        Assert.Equal(await first.Content.ReadAsStringAsync(), await retry.Content.ReadAsStringAsync());
        Assert.Equal(0, await PatientCountAsync(clinic));
    }

    [Theory]
    [InlineData(256)]
    [InlineData(1, "tab\there")]
    public async Task InvalidKeyAnswers400NamingTheHeader(int length, string character = "k")
    {
        var (clinic, client) = await StaffAsync();

        var response = await PostAsync(client, clinic, Body, string.Concat(Enumerable.Repeat(character, length)));

        var problem = await ProblemDetailsTests.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(Idempotency.KeyHeader, out _), problem.ToString());
        Assert.Equal(0, await PatientCountAsync(clinic));
    }

    [Fact]
    public async Task WithoutTheHeaderEveryPostCreates()
    {
        var (clinic, client) = await StaffAsync();

        var first = await PostAsync(client, clinic, Body, key: null);
        var second = await PostAsync(client, clinic, Body, key: null);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.False(second.Headers.Contains(Idempotency.ReplayedHeader));
        Assert.Equal(2, await PatientCountAsync(clinic));
    }

    [Fact]
    public async Task PurgeDeletesOnlyExpiredKeys()
    {
        var caller = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;
        await api.WithDbAsync(db =>
        {
            foreach (var (key, expires) in new[] { ("old-1", now.AddHours(-2)), ("old-2", now.AddSeconds(-1)), ("live", now.AddHours(1)) })
            {
                db.IdempotencyRecords.Add(new IdempotencyRecord
                {
                    UserId = caller,
                    Key = key,
                    Method = "POST",
                    Route = "/test",
                    Path = "/test",
                    RequestHash = new byte[32],
                    State = IdempotencyStates.Pending,
                    ExpiresAt = expires,
                });
            }

            return db.SaveChangesAsync();
        });

        var purged = await api.WithDbAsync(db => IdempotencyStore.PurgeExpiredAsync(db, now, CancellationToken.None));

        Assert.True(purged >= 2);
        Assert.Equal(["live"], await api.WithDbAsync(db => db.IdempotencyRecords.Where(r => r.UserId == caller).Select(r => r.Key).ToListAsync()));
    }

    [Fact]
    public async Task OpenApiDescribesTheHeaderOnIdempotentEndpoints()
    {
        var document = JsonDocument.Parse(await api.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement;

        var create = document.GetProperty("paths").GetProperty("/api/v1/clinics/{clinicId}/patients").GetProperty("post");
        var parameter = create.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == Idempotency.KeyHeader);
        Assert.Equal("header", parameter.GetProperty("in").GetString());
        Assert.True(create.GetProperty("responses").TryGetProperty("409", out _));
        Assert.True(create.GetProperty("responses").TryGetProperty("422", out _));
    }

    private static string NewKey() => Guid.NewGuid().ToString();

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, Guid clinic, string body, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/clinics/{clinic}/patients")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation(Idempotency.KeyHeader, key);
        }

        return await client.SendAsync(request);
    }

    private async Task<(Guid Clinic, HttpClient Client)> StaffAsync()
    {
        var clinic = await api.CreateClinicAsync();
        return (clinic.Id, await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, clinic.Id)));
    }

    private Task<int> PatientCountAsync(Guid clinic) => api.WithDbAsync(db => db.Patients.CountAsync(p => p.ClinicId == clinic));

    private async Task<string> RawAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresConnectionString.Parse(api.DatabaseUrl).ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
