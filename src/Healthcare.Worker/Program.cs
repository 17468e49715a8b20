using Healthcare.Core.Configuration;
using Healthcare.Core.Data;
using Healthcare.Core.Observability;
using Healthcare.ServiceDefaults;
using Healthcare.ServiceDefaults.Hosting;
using Healthcare.Worker;
using Healthcare.Worker.Jobs;
using Microsoft.Extensions.Options;

return await StartupGuard.RunAsync(async () =>
{
    const string applicationName = "healthcare-worker";
    var builder = WebApplication.CreateSlimBuilder(HostArguments.For(args));
    builder.AddServiceDefaults(applicationName);
    builder.Services.AddDataServices(applicationName);
    builder.Services.AddValidatedSettings<WorkerOptions, WorkerOptionsValidator>();
    builder.Services.AddJobServer();
    builder.Services.AddOptions<HostOptions>().Configure<IOptions<WorkerOptions>>((host, worker) =>
        host.ShutdownTimeout = TimeSpan.FromSeconds(worker.Value.ShutdownGraceSeconds));
    builder.WebHost.ConfigureKestrel(kestrel =>
    {
        var options = kestrel.ApplicationServices.GetRequiredService<IOptions<WorkerOptions>>().Value;
        kestrel.ListenOn(ListenAddresses.Parse(options.ListenAddress), options.HttpPort);
    });

    var app = builder.Build();
    StartupGuard.ValidateSettings(app.Services);
    app.MapDefaultEndpoints();
    var metrics = app.Services.GetRequiredService<HealthcareMetrics>();
    metrics.StartWorkerCounters();
    metrics.ObserveQueues(app.Services.GetRequiredService<Healthcare.Core.Jobs.QueueStatistics>());
    metrics.ObserveAuditVerification(app.Services.GetRequiredService<Hangfire.JobStorage>());
    await app.RunAsync();
    return 0;
});
