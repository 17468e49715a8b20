using Healthcare.Api.Platform;

namespace Healthcare.Api.Features.Scheduling;

/// <summary>The scheduling area: its services and all of its endpoint groups.</summary>
public static class SchedulingApi
{
    public static IServiceCollection AddScheduling(this IServiceCollection services) => services
        .AddSingleton<AvailabilityCache>()
        .AddSingleton<Clinics.ClinicDirectory>()
        .AddSingleton<Practitioners.PractitionerDirectory>()
        .AddSingleton<AppointmentTypeDirectory>()
        .AddScoped<Booking>()
        .AddGeneratedJson(SchedulingJsonContext.Default);

    public static IEndpointRouteBuilder MapSchedulingApi(this IEndpointRouteBuilder endpoints) => endpoints
        .MapAppointmentTypesApi()
        .MapAvailabilityApi()
        .MapAppointmentsApi()
        .MapSeriesApi()
        .MapWaitlistApi()
        .MapMyAppointmentsApi()
        .MapExportsApi();
}
