using Healthcare.Api.Commands;
using Healthcare.Api.Features.Admin;
using Healthcare.Api.Features.Apps;
using Healthcare.Api.Features.Audit;
using Healthcare.Api.Features.Clinics;
using Healthcare.Api.Features.Fhir;
using Healthcare.Api.Features.Identity;
using Healthcare.Api.Features.Logging;
using Healthcare.Api.Features.Patients;
using Healthcare.Api.Features.Practitioners;
using Healthcare.Api.Features.Records;
using Healthcare.Api.Features.Scheduling;
using Healthcare.Api.Platform;
using Healthcare.ServiceDefaults.Hosting;

return await StartupGuard.RunAsync(async () =>
{
    var builder = WebApplication.CreateBuilder(HostArguments.For(args));
    builder.AddApiPlatform();
    builder.AddIdentity();
    builder.Services.AddPractitioners();
    builder.Services.AddScheduling();
    builder.Services.AddAdminPages();
    builder.Services.AddLogViewer();
    builder.Services.AddFhir();
    builder.AddApps();

    var app = builder.Build();
    if (await app.TryRunCommandAsync(args) is { } exitCode)
    {
        return exitCode;
    }

    app.UseApiPlatform();
    app.MapAuthApi();
    app.MapAccountApi();
    app.MapEmailApi();
    app.MapMfaApi();
    app.MapClinicsApi();
    app.MapMembersApi();
    app.MapLocationsApi();
    app.MapPractitionersApi();
    app.MapPatientsApi();
    app.MapPatientLinksApi();
    app.MapEmergencyAccessApi();
    app.MapNotificationsApi();
    app.MapRecordsApi();
    app.MapMyRecordsApi();
    app.MapAccessLogApi();
    app.MapPreferencesApi();
    app.MapSchedulingApi();
    app.MapAuditApi();
    app.MapFhirApi();
    app.MapApps();
    app.MapAdminPages();
    app.MapLogViewer();

    await app.RunAsync();
    return 0;
});

/// <summary>The API's entry point; public so that tests can host it.</summary>
public partial class Program;
