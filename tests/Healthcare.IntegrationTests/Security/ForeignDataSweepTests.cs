using System.Text;
using Healthcare.Core.Identity;
using Healthcare.Core.Patients;
using Healthcare.IntegrationTests.Identity;
using Healthcare.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace Healthcare.IntegrationTests.Security;

/// <summary>
/// Every /api/v1 route in the route table, called by every kind of caller who has no business with another
/// clinic's patient, with that clinic's and patient's ids in the path and query: no answer may carry that
/// patient's name, e-mail or phone, the clinic's name, or the id of any of their records the caller did not send.
/// A new route is swept the moment it is mapped.
/// </summary>
public sealed class ForeignDataSweepTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string SameClinicPatient = "another patient of the foreign clinic";

    /// <summary>What a clinic shows all its members: not patient data.</summary>
    private static readonly HashSet<string> ClinicDirectory = ["locations", "practitioners", "appointment-types"];

    [Fact]
    public async Task NoRouteShowsAnotherClinicsOrPatientsDataToAnyCaller()
    {
        var marker = Guid.NewGuid().ToString("N")[..10];
        var own = await api.CreateClinicAsync("Own");
        var foreign = await api.CreateClinicAsync($"Foreign{marker}");
        var third = await api.CreateClinicAsync("Third");
        var foreignOwner = await api.CreateUserAsync(ClinicRoles.Patient, foreign.Id);
        var foreignPatient = await api.WithDbAsync(async db =>
        {
            var patient = new Patient
            {
                ClinicId = foreign.Id,
                UserId = foreignOwner.Id,
                GivenName = $"Given{marker}",
                FamilyName = $"Family{marker}",
                Sex = "female",
                DateOfBirth = new DateOnly(1971, 3, 4),
                Email = $"mail{marker}@patients.example.test",
                Phone = $"+1217{Random.Shared.Next(1_000_000, 9_999_999)}",
            };
            patient.RefreshSearchName();
            db.Patients.Add(patient);
            await db.SaveChangesAsync();
            return patient;
        });
        var resources = await ForeignResourcesAsync(foreign.Id, foreignPatient.Id);

        var callers = new Dictionary<string, HttpClient>
        {
            ["anonymous"] = api.CreateClient(),
            ["patient of the own clinic"] = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Patient, own.Id)),
            [SameClinicPatient] = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Patient, foreign.Id)),
            ["doctor of the own clinic"] = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Doctor, own.Id)),
            ["receptionist of the own clinic"] = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.Receptionist, own.Id)),
            ["admin of a third clinic"] = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, third.Id)),
        };
        var phi = new[] { foreignPatient.GivenName, foreignPatient.FamilyName, foreignPatient.Email!, foreignPatient.Phone!, foreignOwner.Email };
        var patientIds = resources.Where(r => !ClinicDirectory.Contains(r.Key)).Select(r => r.Value).Append(foreignPatient.Id).ToList();
        var directoryIds = resources.Where(r => ClinicDirectory.Contains(r.Key)).Select(r => r.Value).Append(foreign.Id).ToList();
        var routes = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/v1/", StringComparison.Ordinal) &&
                !e.RoutePattern.RawText.StartsWith("/api/v1/auth/logout", StringComparison.Ordinal))
            .ToList();
        Assert.True(routes.Count > 100, $"expected the whole API, found {routes.Count} routes");

        var leaks = new List<string>();
        var calls = 0;
        foreach (var route in routes)
        {
            var method = route.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods[0] ?? "GET";
            var url = Url(route, foreign.Id, foreignPatient.Id, foreignOwner.Id, resources);
            foreach (var (caller, client) in callers)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                if (method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = new StringContent($$"""{"patientId":"{{foreignPatient.Id}}","clinicId":"{{foreign.Id}}","reason":"sweep"}""", Encoding.UTF8, "application/json");
                }

                using var response = await client.SendAsync(request);
                calls++;
                var body = await response.Content.ReadAsStringAsync();
                // A patient of the same clinic may see its directory (name, sites, practitioners, visit types), never another patient.
                var member = caller == SameClinicPatient;
                var secrets = member ? phi : [.. phi, foreign.Name];
                var ids = member ? patientIds : [.. patientIds, .. directoryIds];
                var shown = secrets.Where(s => body.Contains(s, StringComparison.OrdinalIgnoreCase))
                    .Concat(ids.Select(id => id.ToString())
                        .Where(id => !url.Contains(id, StringComparison.OrdinalIgnoreCase) && body.Contains(id, StringComparison.OrdinalIgnoreCase)))
                    .ToList();
                if (shown.Count > 0)
                {
                    leaks.Add($"{method} {route.RoutePattern.RawText} as {caller} ({(int)response.StatusCode}) shows {string.Join(", ", shown)}");
                }
            }
        }

        Assert.True(calls > 600, $"only {calls} calls were made");
        Assert.True(leaks.Count == 0, string.Join('\n', leaks));
    }

    /// <summary>One resource of each kind in the foreign clinic, the patient's records among them.</summary>
    private async Task<Dictionary<string, Guid>> ForeignResourcesAsync(Guid clinicId, Guid patientId)
    {
        var made = new Dictionary<string, Guid> { ["patients"] = patientId };
        var earlier = new Dictionary<string, Guid> { ["patientId"] = patientId };
        made["practitioners"] = earlier["id"] = await api.WithDbAsync(db => MatrixResources.PractitionerAsync(db, clinicId));
        made["appointments"] = await api.WithDbAsync(db => MatrixResources.AppointmentOfAsync(db, clinicId, patientId));
        foreach (var (collection, factory) in MatrixResources.Factories)
        {
            if (!made.ContainsKey(collection))
            {
                made[collection] = await api.WithDbAsync(db => factory(db, clinicId, earlier));
            }
        }
        return made;
    }

    /// <summary>The route with the foreign ids in every parameter (the clinic in the query where the path has none).</summary>
    private static string Url(RouteEndpoint route, Guid clinicId, Guid patientId, Guid ownerId, Dictionary<string, Guid> resources)
    {
        string? collection = null;
        var segments = new List<string>();
        foreach (var segment in route.RoutePattern.PathSegments)
        {
            var text = new StringBuilder();
            foreach (var part in segment.Parts)
            {
                switch (part)
                {
                    case RoutePatternLiteralPart literal:
                        collection = literal.Content;
                        text.Append(literal.Content);
                        break;
                    case RoutePatternParameterPart parameter:
                        text.Append(parameter.Name switch
                        {
                            "clinicId" => clinicId,
                            "patientId" => patientId,
                            "userId" => ownerId,
                            _ => resources.GetValueOrDefault(collection ?? "", patientId),
                        });
                        break;
                }
            }

            segments.Add(text.ToString());
        }

        var url = $"/{string.Join('/', segments)}";
        return route.RoutePattern.Parameters.Any(p => p.Name == "clinicId") ? url : $"{url}?clinicId={clinicId}";
    }
}
