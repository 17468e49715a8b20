using Healthcare.Core.Audit;
using Healthcare.Core.Data;

namespace Healthcare.Api.Platform;

/// <summary>
/// Writes audit rows for the current request, filling in who and from where. Rows join the request's open
/// database transaction, if any.
/// </summary>
public sealed class Auditor(IHttpContextAccessor accessor, HealthcareDbContext db, TimeProvider clock)
{
    /// <summary>Set by a handler when the audited resource is not simply the route's <c>{id}</c>.</summary>
    public string? ResourceId { get; set; }

    /// <summary>Set by a handler whose resource belongs to a patient, so the patient's access log shows it.</summary>
    public Guid? PatientId { get; set; }

    /// <summary>Set by a handler acting within one clinic; selects the audit chain.</summary>
    public Guid? ClinicId { get; set; }

    public string? Role { get; set; }

    public Task WriteAsync(string action, string resourceType, string outcome, CancellationToken cancellationToken, Guid? userId = null, string? reason = null)
    {
        var http = accessor.HttpContext;
        var entry = new AuditEntry(action, resourceType, outcome)
        {
            UserId = userId ?? CurrentUserId(http),
            UserRole = Role ?? http?.Items[ClinicPermissionHandler.RoleItem] as string,
            ClinicId = ClinicId ?? (http is not null && Guid.TryParse(ClinicPermissionHandler.ClinicIdOf(http), out var clinic) ? clinic : null),
            ResourceId = ResourceId ?? http?.GetRouteValue("id")?.ToString(),
            PatientId = PatientId,
            IpAddress = http?.Connection.RemoteIpAddress?.ToString(),
            UserAgent = http?.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null,
            RequestId = http?.TraceIdentifier,
            Reason = reason,
        };
        return db.WriteAsync(entry, clock.GetUtcNow(), cancellationToken);
    }

    public static string OutcomeFor(int statusCode) => statusCode switch
    {
        < 400 => AuditOutcomes.Success,
        401 or 403 or 404 => AuditOutcomes.Denied,
        _ => AuditOutcomes.Failure,
    };

    private static Guid? CurrentUserId(HttpContext? http) =>
        Guid.TryParse(http?.User.FindFirst("sub")?.Value, out var id) ? id : null;
}

/// <summary>Declarative auditing: an endpoint or group says what it touches, the platform writes the row.</summary>
public static class AuditingExtensions
{
    /// <summary>
    /// Writes one audit row per request after the handler has produced its result and before the response is
    /// sent: if the row cannot be written, the request fails and no data leaves.
    /// </summary>
    public static TBuilder Audited<TBuilder>(this TBuilder builder, string action, string resourceType)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context);
            var status = result is IStatusCodeHttpResult { StatusCode: { } code } ? code : context.HttpContext.Response.StatusCode;
            var auditor = context.HttpContext.RequestServices.GetRequiredService<Auditor>();
            await auditor.WriteAsync(action, resourceType, Auditor.OutcomeFor(status), context.HttpContext.RequestAborted);
            return result;
        });
}
