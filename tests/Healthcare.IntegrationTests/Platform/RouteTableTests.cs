using Healthcare.Api.Features.Identity.Authentication;
using Healthcare.Api.Platform;
using Healthcare.Core.Identity;
using Healthcare.Testing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Healthcare.IntegrationTests.Platform;

/// <summary>Rules every endpoint must follow, checked over the live route table so that a new endpoint cannot forget them.</summary>
public sealed class RouteTableTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public void EveryEndpointStatesWhoMayCallIt()
    {
        var endpoints = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        Assert.NotEmpty(endpoints);
        var undecided = endpoints
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null && e.Metadata.GetOrderedMetadata<IAuthorizeData>().Count == 0)
            .Select(e => $"{string.Join(',', e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])} {e.RoutePattern.RawText}")
            .ToList();
        Assert.True(undecided.Count == 0, "Endpoints without RequireAuthorization or AllowAnonymous:\n" + string.Join('\n', undecided));
    }

    [Fact]
    public void EveryApiEndpointIsVersionedUnderApiV1()
    {
        var endpoints = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();

        var stray = endpoints
            .Select(e => e.RoutePattern.RawText ?? "")
            .Where(p => !p.StartsWith("/api/v1/", StringComparison.Ordinal) && !p.StartsWith("/health", StringComparison.Ordinal) &&
                !p.StartsWith("/openapi/", StringComparison.Ordinal) && !p.StartsWith("/docs", StringComparison.Ordinal) &&
                !p.StartsWith("/scalar", StringComparison.Ordinal) && p != "/.well-known/jwks.json" && p != "/metrics" &&
                !p.StartsWith("/admin", StringComparison.Ordinal) && !p.StartsWith("/queue-dashboard", StringComparison.Ordinal) &&
                !p.StartsWith("/logger", StringComparison.Ordinal) &&
                // The FHIR API is versioned by its FHIR release (ADR 53); the OAuth endpoints and SMART discovery
                // live where the standards put them (ADR 54).
                !p.StartsWith("/fhir/r4/", StringComparison.Ordinal) && !p.StartsWith("/connect/", StringComparison.Ordinal) &&
                p != "/.well-known/smart-configuration")
            .ToList();
        Assert.True(stray.Count == 0, "Unexpected routes:\n" + string.Join('\n', stray));
    }

    /// <summary>Permissions whose endpoints read or write patient data.</summary>
    private static readonly HashSet<string> PatientDataPermissions =
    [
        Permissions.PatientsRead, Permissions.PatientsWrite, Permissions.RecordsRead, Permissions.RecordsWrite,
        Permissions.AppointmentsRead, Permissions.AppointmentsManage, Permissions.RecordsPrescribe, Permissions.BreakGlass,
    ];

    /// <summary>Endpoints under those permissions that hold no patient data (practitioners' absences).</summary>
    private static readonly HashSet<string> WithoutPatientData = ["/api/v1/clinics/{clinicId:guid}/practitioners/{id:guid}/time-off"];

    [Fact]
    public void EveryEndpointThatTouchesPatientDataIsAudited()
    {
        var endpoints = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        var patientData = endpoints.Where(e =>
            (e.Metadata.GetOrderedMetadata<AuthorizationPolicy>().SelectMany(p => p.Requirements).OfType<ClinicPermissionRequirement>()
                .Any(r => PatientDataPermissions.Contains(r.Permission)) && !WithoutPatientData.Contains(e.RoutePattern.RawText!)) ||
            e.RoutePattern.RawText!.StartsWith("/api/v1/me/", StringComparison.Ordinal) ||
            e.RoutePattern.RawText.StartsWith("/api/v1/patients/", StringComparison.Ordinal)).ToList();
        var unaudited = patientData
            .Where(e => e.Metadata.GetMetadata<AuditedMetadata>() is null)
            .Select(e => $"{string.Join(',', e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])} {e.RoutePattern.RawText}")
            .ToList();

        Assert.True(patientData.Count > 40, $"expected the patient, scheduling and records endpoints, found {patientData.Count}");
        Assert.True(unaudited.Count == 0, "Endpoints with patient data but no .Audited(...):\n" + string.Join('\n', unaudited));
    }
}
