using System.Data;
using Healthcare.Core.Audit;
using Healthcare.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Healthcare.Api.Platform;

/// <summary>
/// Writes audit rows for the current request, filling in who and from where. Rows join the request's open
/// database transaction, if any; otherwise they are committed in a batch with other requests' rows
/// (<see cref="AuditBatchWriter"/>), and the call returns once the row is committed.
/// </summary>
public sealed class Auditor(IHttpContextAccessor accessor, IServiceProvider services, AuditBatchWriter batches, TimeProvider clock)
{
    /// <summary>Set by a handler when the audited resource is not simply the route's <c>{id}</c>.</summary>
    public string? ResourceId { get; set; }

    /// <summary>Set by a handler whose resource belongs to a patient, so the patient's access log shows it.</summary>
    public Guid? PatientId { get; set; }

    /// <summary>Set by a handler acting within one clinic; selects the audit chain.</summary>
    public Guid? ClinicId { get; set; }

    public string? Role { get; set; }

    /// <summary>Set by a handler acting for a known user on an anonymous request (a download link).</summary>
    public Guid? UserId { get; set; }

    /// <summary>Set by a handler when the access has a stated reason (break-glass).</summary>
    public string? Reason { get; set; }

    /// <summary>Writes the row inside the request's open database transaction, if there is one, else on its own.</summary>
    public Task WriteAsync(string action, string resourceType, string outcome, CancellationToken cancellationToken, Guid? userId = null, string? reason = null)
    {
        // The request's database context, taken only here: a read that never opened one does not rent one to audit.
        var db = services.GetRequiredService<HealthcareDbContext>();
        var entry = Entry(action, resourceType, outcome, userId, reason);
        return db.Database.CurrentTransaction is null
            ? batches.AppendAsync(entry, clock.GetUtcNow(), cancellationToken)
            : db.WriteAsync(entry, clock.GetUtcNow(), cancellationToken);
    }

    /// <summary>Writes the row of a read that has finished: no transaction of the request is open any more.</summary>
    public Task WriteReadAsync(string resourceType, string outcome, CancellationToken cancellationToken) =>
        batches.AppendAsync(Entry(AuditActions.Read, resourceType, outcome, null, null), clock.GetUtcNow(), cancellationToken);

    /// <summary>
    /// Writes a row per patient that a search answered with, so that each patient's access log shows the search;
    /// the search's own row is written by the endpoint as for any read.
    /// </summary>
    public Task WritePatientReadsAsync(
        string resourceType, IEnumerable<(Guid ClinicId, Guid PatientId)> touched, Func<Guid, string?> roleIn, CancellationToken cancellationToken)
    {
        var at = clock.GetUtcNow();
        return Task.WhenAll(touched.Distinct().Select(t => batches.AppendAsync(
            Entry(AuditActions.Read, resourceType, AuditOutcomes.Success, null, null) with
            {
                ClinicId = t.ClinicId,
                PatientId = t.PatientId,
                ResourceId = t.PatientId.ToString(),
                UserRole = roleIn(t.ClinicId),
            },
            at,
            cancellationToken)));
    }

    private AuditEntry Entry(string action, string resourceType, string outcome, Guid? userId, string? reason)
    {
        var http = accessor.HttpContext;
        return new AuditEntry(action, resourceType, outcome)
        {
            UserId = userId ?? UserId ?? CurrentUserId(http),
            UserRole = Role ?? http?.Items[ClinicScope.RoleItem] as string,
            ClinicId = ClinicId ?? (http is not null && Guid.TryParse(ClinicScope.ClinicIdOf(http), out var clinic) ? clinic : null),
            ResourceId = ResourceId ?? http?.GetRouteValue("id")?.ToString(),
            PatientId = PatientId,
            IpAddress = http?.Connection.RemoteIpAddress?.ToString(),
            UserAgent = http?.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null,
            RequestId = http?.TraceIdentifier,
            Reason = reason ?? Reason ?? ThroughApp(http),
        };
    }

    public static string OutcomeFor(int statusCode) => statusCode switch
    {
        < 400 => AuditOutcomes.Success,
        401 or 403 or 404 => AuditOutcomes.Denied,
        _ => AuditOutcomes.Failure,
    };

    /// <summary>An access by a third-party app names the app, whether it acts for a user or for itself.</summary>
    private static string? ThroughApp(HttpContext? http) =>
        http?.User.FindFirst(Features.Apps.AppTokens.ClientIdClaim)?.Value is { } clientId ? $"app {clientId}" : null;

    private static Guid? CurrentUserId(HttpContext? http) =>
        Guid.TryParse(http?.User.FindFirst("sub")?.Value, out var id) ? id : null;
}

/// <summary>Declarative auditing: an endpoint or group says what it touches, the platform writes the row.</summary>
public static class AuditingExtensions
{
    /// <summary>The request's <see cref="Auditor"/> and the batch writer behind it.</summary>
    public static IServiceCollection AddAuditing(this IServiceCollection services)
    {
        services.AddScoped<Auditor>();
        services.AddSingleton<AuditBatchWriter>();
        return services.AddHostedService(sp => sp.GetRequiredService<AuditBatchWriter>());
    }

    /// <summary>
    /// Writes one audit row per request after the handler has produced its result and before the response is
    /// sent: if the row cannot be written, the request fails and no data leaves. For writes (any action but
    /// read) the handler runs in a database transaction that commits together with its audit row, so a change
    /// is never stored unaudited; a failed write is rolled back and audited as such. The filter wraps every other
    /// filter of the endpoint, its group's included, so that what one of those refuses is audited too.
    /// </summary>
    public static TBuilder Audited<TBuilder>(this TBuilder builder, string action, string resourceType)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new AuditedMetadata(action, resourceType));
        builder.Add(endpoint => endpoint.FilterFactories.Insert(0, (_, next) => context => AuditAsync(context, next, action, resourceType)));
        return builder;
    }

    private static async ValueTask<object?> AuditAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next, string action, string resourceType)
    {
        var http = context.HttpContext;
        var auditor = http.RequestServices.GetRequiredService<Auditor>();
        if (action == AuditActions.Read)
        {
            var read = await next(context);
            await auditor.WriteReadAsync(resourceType, Auditor.OutcomeFor(StatusOf(read, http)), http.RequestAborted);
            return read;
        }

        var db = http.RequestServices.GetRequiredService<HealthcareDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(http.RequestAborted);
        var result = await next(context);
        var outcome = Auditor.OutcomeFor(StatusOf(result, http));
        if (outcome == AuditOutcomes.Success)
        {
            try
            {
                await auditor.WriteAsync(action, resourceType, outcome, http.RequestAborted);
                await transaction.CommitAsync(http.RequestAborted);
            }
            catch (InvalidOperationException e) when (db.Database.GetDbConnection() is NpgsqlConnection { FullState: ConnectionState.Broken })
            {
                // The connection broke under the open transaction (its server died after the handler's writes, as in a
                // failover): Npgsql then refuses the transaction as completed. Nothing was committed, so this is the
                // database being unavailable (503, retry), not a failure of the request.
                throw new NpgsqlException("The database connection broke before the change was committed.", new IOException(e.Message, e));
            }
        }
        else
        {
            await transaction.RollbackAsync(http.RequestAborted);
            await auditor.WriteAsync(action, resourceType, outcome, http.RequestAborted);
        }

        return result;
    }

    /// <summary>The status the result will answer with; Results&lt;...&gt; unions are unwrapped.</summary>
    private static int StatusOf(object? result, HttpContext http) => result switch
    {
        INestedHttpResult nested => StatusOf(nested.Result, http),
        IStatusCodeHttpResult { StatusCode: { } code } => code,
        _ => http.Response.StatusCode,
    };
}

/// <summary>Marks an endpoint as audited, so that tests over the route table can check that every PHI endpoint is.</summary>
public sealed record AuditedMetadata(string Action, string ResourceType);
