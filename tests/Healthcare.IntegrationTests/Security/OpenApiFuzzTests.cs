using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using CsCheck;
using Healthcare.Core.Audit;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Healthcare.IntegrationTests.Security;

/// <summary>
/// Property-based fuzzing from the API's own OpenAPI document: thousands of generated requests to every
/// /api/v1 operation, as callers allowed to reach the handlers, over real resources. No request may cause a
/// server error or an answer that is not a clean problem, every answer must match the document (see
/// <see cref="OpenApiConformance"/>), and the data must stay consistent afterwards.
/// </summary>
/// <remarks>
/// FUZZ_CASES sets the number of requests (default <see cref="DefaultCases"/>); FUZZ_SEED replays a run
/// (a failure prints its seed). Without FUZZ_SEED the run is the same every time.
/// </remarks>
public sealed partial class OpenApiFuzzTests(ApiFactory api, ITestOutputHelper output) : IClassFixture<ApiFactory>
{
    public const int DefaultCases = 5_000;

    /// <summary>The seed of the default run, so that CI sees the same requests every time.</summary>
    public const string DefaultSeed = "2KELhrHaoR45";

    [Fact]
    public async Task GeneratedRequestsToEveryOperationNeverCauseAServerErrorOrAnUnsafeAnswer()
    {
        var cases = FuzzCases();
        var seed = Environment.GetEnvironmentVariable("FUZZ_SEED") is { Length: > 0 } s ? s : DefaultSeed;
        var world = await FuzzWorld.CreateAsync(api);
        var text = await api.CreateClient().GetStringAsync("/openapi/v1.json");
        var document = JsonDocument.Parse(text).RootElement;
        var conformance = new OpenApiConformance(text);
        var nonConforming = new ConcurrentDictionary<string, string>();
        var operations = new OpenApiRequests(document, world).Operations();
        Assert.True(operations.Count > 100, $"expected the whole API, found {operations.Count} operations");
        var statuses = new ConcurrentDictionary<int, int>();
        var reached = new ConcurrentDictionary<string, bool>();

        await Gen.OneOf([.. operations.Select(o => o.Gen.Select(r => (o.Method, o.Template, Request: r)))]).SampleAsync(
            async operation =>
            {
                using var message = OpenApiRequests.ToMessage(operation.Request);
                using var response = await (operation.Request.AsPatient ? world.Patient : world.Staff).SendAsync(message);
                var status = (int)response.StatusCode;
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                if (status is >= 200 and < 300)
                {
                    reached[$"{operation.Method} {operation.Template}"] = true;
                }

                var body = await response.Content.ReadAsStringAsync();
                AssertSafeAnswer(status, response.Content.Headers.ContentType?.MediaType, body);
                // A generated "." or ".." segment makes the request address another resource than the template's.
                var addressed = operation.Request.Path.Split('?')[0].Split('/').Any(segment => segment is "." or ".." or "%2e" or "%2E")
                    ? []
                    : conformance.Check(operation.Method, operation.Template, response, body);
                foreach (var failure in addressed)
                {
                    // One example per operation and status is enough to act on.
                    nonConforming.TryAdd($"{operation.Method} {operation.Template} {status}", $"{failure}\n    request: {operation.Request}");
                }
            },
            seed: seed,
            iter: cases,
            threads: 4,
            print: o => o.Request.ToString(),
            writeLine: output.WriteLine);

        output.WriteLine($"{cases} requests over {operations.Count} operations, seed {seed}: " +
            string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}x{s.Value}")));
        output.WriteLine($"{reached.Count} operations answered 2xx at least once");
        Assert.True(nonConforming.IsEmpty, $"{nonConforming.Count} answers do not match the document:\n" +
            string.Join("\n", nonConforming.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => f.Value)));
        // A run in which almost nothing got past the front door would prove nothing about the handlers.
        Assert.True(statuses.Where(s => s.Key < 300).Sum(s => s.Value) > cases / 20, "too few requests succeeded");
        Assert.True(reached.Count > operations.Count / 3, $"only {reached.Count} of {operations.Count} operations ever succeeded");
        Assert.True(statuses.GetValueOrDefault(401) < cases / 100, "the callers lost their sessions during the run");
        await AssertConsistentAsync();
    }

    private static int FuzzCases() =>
        int.TryParse(Environment.GetEnvironmentVariable("FUZZ_CASES"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : DefaultCases;

    /// <summary>No 5xx; every 4xx a problem with type, title and status; no stack trace or exception name anywhere.</summary>
    internal static void AssertSafeAnswer(int status, string? mediaType, string body)
    {
        Assert.True(status < 500, $"server error {status}: {body}");
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal);
        Assert.False(ExceptionName().IsMatch(body), $"exception name in the answer: {body}");
        if (status >= 400)
        {
            Assert.True(mediaType == "application/problem+json", $"{status} answered as {mediaType ?? "nothing"}: {body}");
            var problem = JsonDocument.Parse(body).RootElement;
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("type").GetString()), body);
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()), body);
            Assert.Equal(status, problem.GetProperty("status").GetInt32());
        }
    }

    /// <summary>The audit chain verifies, no practitioner is double booked and nothing links two clinics.</summary>
    private async Task AssertConsistentAsync()
    {
        var audit = await api.WithDbAsync(db => db.VerifyAsync(CancellationToken.None));
        Assert.True(audit.Intact, $"audit chain broken: {audit.FirstBreak}");
        Assert.True(audit.EventsChecked > 100, $"only {audit.EventsChecked} audit events after the run");

        var doubleBooked = await CountAsync("""
            SELECT count(*)::int AS "Value" FROM appointments a JOIN appointments b
              ON a.practitioner_id = b.practitioner_id AND a.id < b.id
             AND a.status IN ('held', 'booked', 'checked_in', 'in_progress') AND b.status IN ('held', 'booked', 'checked_in', 'in_progress')
             AND tstzrange(a.starts_at, a.blocked_until, '[)') && tstzrange(b.starts_at, b.blocked_until, '[)')
            """);
        Assert.Equal(0, doubleBooked);

        foreach (var table in new[] { "allergies", "appointment_series", "appointments", "clinical_notes", "encounters", "medications", "problem_list_items", "vital_signs", "waitlist_entries" })
        {
            Assert.True(0 == await CountAsync($"""SELECT count(*)::int AS "Value" FROM {table} t JOIN patients p ON p.id = t.patient_id WHERE p.clinic_id <> t.clinic_id"""),
                $"{table} has rows whose patient belongs to another clinic");
        }

        foreach (var table in new[] { "appointment_series", "appointments", "time_off", "waitlist_entries", "working_hours" })
        {
            Assert.True(0 == await CountAsync($"""SELECT count(*)::int AS "Value" FROM {table} t JOIN practitioners p ON p.id = t.practitioner_id WHERE p.clinic_id <> t.clinic_id"""),
                $"{table} has rows whose practitioner belongs to another clinic");
        }
    }

    private Task<int> CountAsync(string sql) =>
        api.WithDbAsync(db => db.Database.SqlQueryRaw<int>(sql).SingleAsync());

    [GeneratedRegex(@"\b(System|Npgsql|Microsoft)\.[A-Za-z.]*Exception\b|\bStackTrace\b|\bNpgsqlException\b")]
    private static partial Regex ExceptionName();
}
