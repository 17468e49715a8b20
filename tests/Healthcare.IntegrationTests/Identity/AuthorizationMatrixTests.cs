using System.Net;
using System.Text;
using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Core.Identity;
using Healthcare.Testing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Healthcare.IntegrationTests.Identity;

/// <summary>
/// Every clinic endpoint in the route table, called by every role of the clinic, by a platform administrator
/// and by another clinic's administrator, answers as the permission table says. A new clinic endpoint is
/// covered the moment it is mapped.
/// </summary>
public sealed class AuthorizationMatrixTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Outsider = "other-clinic-admin";

    [Fact]
    public async Task EveryClinicEndpointAnswersEachCallerAsThePermissionTableSays()
    {
        var clinic = await api.CreateClinicAsync();
        var otherClinic = await api.CreateClinicAsync();
        var callers = new Dictionary<string, HttpClient>();
        foreach (var role in ClinicRoles.All)
        {
            callers[role] = await api.ClientForAsync(await api.CreateUserAsync(role, clinic.Id));
        }

        callers[ClinicRoles.SuperAdmin] = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.SuperAdmin));
        callers[Outsider] = await api.ClientForAsync(await api.CreateUserAsync(ClinicRoles.ClinicAdmin, otherClinic.Id));
        var endpoints = ClinicEndpoints();
        Assert.NotEmpty(endpoints);

        var failures = new List<string>();
        foreach (var (endpoint, permission) in endpoints)
        {
            foreach (var (caller, client) in callers)
            {
                var target = endpoint.RoutePattern.RawText!.Contains("{userId", StringComparison.Ordinal)
                    ? (await api.CreateUserAsync(ClinicRoles.Receptionist, clinic.Id)).Id
                    : Guid.Empty;
                var resources = await ResourcesAsync(endpoint, clinic.Id);
                var method = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods[0];
                using var request = new HttpRequestMessage(new HttpMethod(method), Url(endpoint, clinic.Id, target, resources));
                if (method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                var status = (await client.SendAsync(request)).StatusCode;
                var expected = caller switch
                {
                    ClinicRoles.SuperAdmin => "allowed",
                    Outsider => "404",
                    _ when Permissions.Grants(caller, permission) => "allowed",
                    _ => "403",
                };
                var ok = expected switch
                {
                    // Allowed means the handler ran and answered like an API: a refusal for bad input is fine, a crash is not.
                    "allowed" => status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound) && (int)status < 500,
                    "404" => status == HttpStatusCode.NotFound,
                    _ => status == HttpStatusCode.Forbidden,
                };
                if (!ok)
                {
                    failures.Add($"{method} {endpoint.RoutePattern.RawText} as {caller} ({permission}): expected {expected}, got {(int)status}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task EveryPatientSelfServiceEndpointFindsOnlyTheCallersOwnRecords()
    {
        var clinic = await api.CreateClinicAsync();
        var owner = await api.CreateUserAsync(ClinicRoles.Patient, clinic.Id);
        var other = await api.CreateUserAsync(ClinicRoles.Patient, clinic.Id);
        var ownerClient = await api.ClientForAsync(owner);
        var otherClient = await api.ClientForAsync(other);
        await LinkedPatientAsync(clinic.Id, other.Id);
        var ownersPatient = await LinkedPatientAsync(clinic.Id, owner.Id);
        var endpoints = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api/v1/me/", StringComparison.Ordinal) && e.RoutePattern.Parameters.Count > 0)
            .ToList();
        Assert.NotEmpty(endpoints);

        var failures = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var method = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods[0];
            foreach (var (caller, client, expectFound) in new[] { ("owner", ownerClient, true), ("another patient", otherClient, false) })
            {
                // A fresh resource of the owner's for each call, so that one call's change does not hide another's answer.
                var values = new Dictionary<string, Guid>();
                foreach (var parameter in endpoint.RoutePattern.Parameters)
                {
                    values[parameter.Name] = parameter.Name == "patientId"
                        ? ownersPatient
                        : endpoint.RoutePattern.RawText!.StartsWith("/api/v1/me/apps/", StringComparison.Ordinal)
                            ? await api.WithDbAsync(db => MatrixResources.AppAuthorizationOfAsync(db, owner.Id))
                            : await api.WithDbAsync(db => MatrixResources.AppointmentOfAsync(db, clinic.Id, ownersPatient));
                }

                using var request = new HttpRequestMessage(new HttpMethod(method), Url(endpoint, clinic.Id, Guid.Empty, values));
                if (method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = new StringContent("{\"reason\":\"matrix check\"}", Encoding.UTF8, "application/json");
                }

                var status = (await client.SendAsync(request)).StatusCode;
                var ok = expectFound
                    ? status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound) && (int)status < 500
                    : status == HttpStatusCode.NotFound;
                if (!ok)
                {
                    failures.Add($"{method} {endpoint.RoutePattern.RawText} as {caller}: got {(int)status}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private Task<Guid> LinkedPatientAsync(Guid clinicId, Guid userId) => api.WithDbAsync(async db =>
    {
        var patientId = await MatrixResources.PatientAsync(db, clinicId);
        await db.Patients.Where(p => p.Id == patientId).ExecuteUpdateAsync(p => p.SetProperty(x => x.UserId, userId));
        return patientId;
    });

    [Fact]
    public async Task EveryProtectedEndpointAnswers401WithoutAToken()
    {
        var protectedEndpoints = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null && e.Metadata.GetOrderedMetadata<IAuthorizeData>().Count > 0)
            .ToList();
        Assert.NotEmpty(protectedEndpoints);
        var client = api.CreateClient(new() { AllowAutoRedirect = false });

        var failures = new List<string>();
        foreach (var endpoint in protectedEndpoints)
        {
            var method = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods[0] ?? "GET";
            using var request = new HttpRequestMessage(new HttpMethod(method), Url(endpoint, Guid.NewGuid(), Guid.NewGuid(), endpoint.RoutePattern.Parameters.ToDictionary(p => p.Name, _ => Guid.NewGuid())));
            var response = await client.SendAsync(request);
            // The operator pages send a browser's page load to their sign-in page instead.
            var toSignIn = method == "GET" && response.StatusCode == HttpStatusCode.Redirect &&
                response.Headers.Location?.OriginalString.StartsWith("/admin/sign-in?returnUrl=", StringComparison.Ordinal) == true;
            if (response.StatusCode != HttpStatusCode.Unauthorized && !toSignIn)
            {
                failures.Add($"{method} {endpoint.RoutePattern.RawText}: {(int)response.StatusCode}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    private List<(RouteEndpoint Endpoint, string Permission)> ClinicEndpoints() =>
        api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Requirement: e.Metadata.GetOrderedMetadata<AuthorizationPolicy>()
                .SelectMany(p => p.Requirements).OfType<ClinicPermissionRequirement>().SingleOrDefault()))
            .Where(x => x.Requirement is not null)
            .Select(x => (x.Endpoint, x.Requirement!.Permission))
            .ToList();

    /// <summary>
    /// A fresh resource for each id parameter of the route, made by the factory named after the collection
    /// segment before it (<c>/patients/{patientId}/notes/{id}</c>: a patient, then a note of that patient).
    /// </summary>
    private async Task<Dictionary<string, Guid>> ResourcesAsync(RouteEndpoint endpoint, Guid clinicId)
    {
        var values = new Dictionary<string, Guid>();
        string? collection = null;
        foreach (var part in endpoint.RoutePattern.PathSegments.SelectMany(s => s.Parts))
        {
            if (part is Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal)
            {
                collection = literal.Content;
            }
            else if (part is Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart { Name: not ("clinicId" or "userId") } parameter)
            {
                var factory = MatrixResources.Factories.GetValueOrDefault(collection ?? "")
                    ?? throw new InvalidOperationException($"No test resource for '{collection}' in {endpoint.RoutePattern.RawText}: add one to {nameof(MatrixResources)}.");
                values[parameter.Name] = await api.WithDbAsync(db => factory(db, clinicId, values));
            }
        }

        return values;
    }

    /// <summary>Fills route parameters: the clinic, a target user and the resources made for the others.</summary>
    private static string Url(RouteEndpoint endpoint, Guid clinicId, Guid target, Dictionary<string, Guid> resources)
    {
        var path = string.Join('/', endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart literal => literal.Content,
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart { Name: "clinicId" } => clinicId.ToString(),
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart { Name: "userId" } => target.ToString(),
            Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart parameter => resources[parameter.Name].ToString(),
            _ => "",
        }))));
        var url = "/" + path;
        return endpoint.RoutePattern.Parameters.Any(p => p.Name == "clinicId") ? url : $"{url}?clinicId={clinicId}";
    }
}
