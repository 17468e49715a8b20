using System.Net;
using System.Net.Http.Json;
using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Faults;
using Healthcare.IntegrationTests.Scheduling;
using Healthcare.Testing;

namespace Healthcare.IntegrationTests.Logging;

/// <summary>
/// A database refusal that a handler expects and answers (a unique name taken) is the caller's mistake: the API
/// process logs no error for it, while EF Core would log the failed command and save at Error with their stacks.
/// </summary>
public sealed class HandledFailureLogTests
{
    [Fact]
    public async Task ARenameOntoATakenNameIsAnswered400AndLogsNoError()
    {
        var databaseUrl = await TestServers.CreateDatabaseAsync(nameof(HandledFailureLogTests));
        try
        {
            await TestServers.MigrateAsync(databaseUrl);
            var setup = await ClinicSetup.CreateAsync(databaseUrl, patients: 0);
            var account = await FaultApis.CreateUserAsync(databaseUrl, ClinicRoles.ClinicAdmin, setup.ClinicId);
            var api = await FaultApis.StartAsync(databaseUrl);
            await using var _ = api;
            using var client = FaultApis.Client(api, await FaultApis.TokenAsync(api, account));
            var locations = $"/api/v1/clinics/{setup.ClinicId}/locations";
            var taken = (await client.GetFromJsonAsync<LocationName>($"{locations}/{setup.LocationId}"))!.Name;
            var created = await client.PostAsJsonAsync(locations, new { name = "Second site" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

            // Update has no look-up before the save: the unique index refuses the name and the handler answers.
            using var rename = new HttpRequestMessage(HttpMethod.Put, created.Headers.Location) { Content = JsonContent.Create(new { name = taken }) };
            rename.Headers.TryAddWithoutValidation("If-Match", created.Headers.ETag!.Tag);
            var clash = await client.SendAsync(rename);

            await ProblemAssert.FieldAsync(clash, HttpStatusCode.BadRequest, "name");
            var errors = FaultApis.ErrorLines(api);
            Assert.True(errors.Count == 0, string.Join('\n', errors));
        }
        finally
        {
            await TestServers.DropDatabaseAsync(databaseUrl);
        }
    }

    private sealed record LocationName(string Name);
}
