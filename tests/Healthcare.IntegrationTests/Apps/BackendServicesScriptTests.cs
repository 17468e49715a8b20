using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Healthcare.Core.Identity;
using Healthcare.IntegrationTests.Clients;
using Healthcare.IntegrationTests.Fhir;
using Healthcare.Testing;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace Healthcare.IntegrationTests.Apps;

/// <summary>
/// SMART Backend Services as a system the project did not write runs it: clients/smart/backend-services.mjs signs its
/// assertion with the `jose` library, gets a token from the running API with the demo data of <c>make run</c>, reads,
/// and runs a Bulk Data export to completion; every resource it saved validates with Firely's validator.
/// </summary>
public sealed class BackendServicesScriptTests(DemoApi api, ITestOutputHelper output) : IClassFixture<DemoApi>
{
    private static readonly string Package = Path.Combine(RepositoryPaths.Root, "clients", "smart");

    [Fact]
    public async Task TheJoseScriptGetsATokenReadsAndExportsTheDemoClinic()
    {
        Assert.True(Directory.Exists(Path.Combine(Package, "node_modules", "jose")),
            "jose is not installed: run the tests with `make test` (devops/scripts/ci/node-tools.sh installs clients/smart)");
        var workspace = Directory.CreateTempSubdirectory("hb-backend-services-").FullName;
        try
        {
            var clinicId = await DemoClinicAsync();
            using var admin = await SignInAsync(ClinicRoles.ClinicAdmin);
            using var key = BackendServiceKey.Es384();
            var app = await AppRequests.RegisterBackendAsync(admin, clinicId, key);
            var jwk = Path.Combine(workspace, "key.json");
            await File.WriteAllTextAsync(jwk, JsonSerializer.Serialize(key.PrivateJwk()));
            var exports = Path.Combine(workspace, "export");

            // The worker builds the export files, as beside make run's API.
            await using var worker = HostProcess.Start(RepositoryPaths.WorkerDll, HostProcess.WorkerSettings(api.DatabaseUrl));

            var result = await CommandLine.RunAsync("node", [Path.Combine(Package, "backend-services.mjs")], TimeSpan.FromSeconds(300), Package,
                new Dictionary<string, string>
                {
                    ["HB_FHIR_URL"] = new Uri(api.HttpAddress, "/fhir/r4").ToString(),
                    ["HB_CLIENT_ID"] = app.ClientId,
                    ["HB_PRIVATE_JWK"] = jwk,
                    ["HB_SCOPE"] = "system/*.rs",
                    ["HB_GROUP_ID"] = clinicId.ToString(),
                    ["HB_EXPORT_DIR"] = exports,
                });
            output.WriteLine(result.ToString());
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Contains("backend services scenario passed", result.Stdout, StringComparison.Ordinal);

            var files = Directory.GetFiles(exports, "*.ndjson");
            Assert.Contains(files, f => f.EndsWith("-Patient.ndjson", StringComparison.Ordinal));
            foreach (var file in files)
            {
                var declared = Path.GetFileNameWithoutExtension(file).Split('-')[1];
                foreach (var line in await File.ReadAllLinesAsync(file))
                {
                    var resource = FhirValidation.Parse(line);
                    Assert.Equal(declared, resource.TypeName);
                    Assert.Empty(FhirValidation.Errors(resource));
                }
            }
        }
        finally
        {
            Directory.Delete(workspace, recursive: true);
        }
    }

    private async Task<Guid> DemoClinicAsync()
    {
        await using var db = TestServers.OpenDbContext(api.DatabaseUrl);
        return await db.ClinicMemberships.Where(m => m.Role == ClinicRoles.ClinicAdmin).Select(m => m.ClinicId).FirstAsync();
    }

    private async Task<HttpClient> SignInAsync(string role)
    {
        var account = (await File.ReadAllLinesAsync(api.CredentialsFile))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .First(parts => parts.Length == 3 && parts[0] == role);
        var client = new HttpClient { BaseAddress = api.HttpAddress };
        var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = account[1], password = account[2] });
        login.EnsureSuccessStatusCode();
        using var token = JsonDocument.Parse(await login.Content.ReadAsStringAsync());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.RootElement.GetProperty("accessToken").GetString());
        return client;
    }
}
