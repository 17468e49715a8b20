using Healthcare.Core.Configuration;
using Healthcare.Core.Data;
using Healthcare.Core.Health;
using Healthcare.Core.Hosting;
using Healthcare.Core.Observability;
using Healthcare.Worker;
using Healthcare.Worker.Jobs;
using Microsoft.Extensions.Options;

return await StartupGuard.RunAsync(async () =>
{
    const string applicationName = "healthcare-worker";
    var builder = WebApplication.CreateSlimBuilder(HostArguments.For(args));
    builder.Services.AddJsonLogging(applicationName);
    builder.Services.AddDataServices(applicationName);
    builder.Services.AddDependencyHealthChecks();
    builder.Services.AddTelemetry(builder.Configuration, applicationName);
    builder.Services.AddValidatedSettings<WorkerOptions, WorkerOptionsValidator>();
    builder.Services.AddJobServer();
    builder.Services.AddOptions<HostOptions>().Configure<IOptions<WorkerOptions>>((host, worker) =>
        host.ShutdownTimeout = TimeSpan.FromSeconds(worker.Value.ShutdownGraceSeconds));
    builder.WebHost.ConfigureKestrel(kestrel =>
    {
        var options = kestrel.ApplicationServices.GetRequiredService<IOptions<WorkerOptions>>().Value;
        kestrel.AddServerHeader = false;
        switch (options.ListenAddress)
        {
            case "localhost":
                kestrel.ListenLocalhost(options.HttpPort);
                break;
            case "any":
                kestrel.ListenAnyIP(options.HttpPort);
                break;
            default:
                kestrel.Listen(System.Net.IPAddress.Parse(options.ListenAddress), options.HttpPort);
                break;
        }
    });

    var app = builder.Build();
    StartupGuard.ValidateSettings(app.Services);
    app.MapHealthEndpoints();
    app.MapMetrics(managementPort: null);
    app.Services.GetRequiredService<HealthcareMetrics>().ObserveQueues(app.Services.GetRequiredService<Healthcare.Core.Jobs.QueueStatistics>());
    await app.RunAsync();
    return 0;
});
