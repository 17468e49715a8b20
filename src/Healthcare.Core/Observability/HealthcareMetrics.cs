using System.Diagnostics;
using System.Diagnostics.Metrics;
using Hangfire;
using Healthcare.Core.Data;
using Healthcare.Core.Jobs;
using Healthcare.Core.Messaging;
using Healthcare.Core.Scheduling;
using Microsoft.Extensions.DependencyInjection;

namespace Healthcare.Core.Observability;

/// <summary>
/// The backend's own metrics, on the <c>Healthcare</c> meter (Prometheus names in brackets). Labels are channels,
/// queues, job names, outcomes and clinic ids only.
/// </summary>
public sealed class HealthcareMetrics : IDisposable
{
    public const string MeterName = "Healthcare";
    public const string JobDuration = "healthcare.job.duration";

    /// <summary>Traces of jobs and of the outbox dispatcher.</summary>
    public static readonly ActivitySource Tracing = new(MeterName + ".Jobs");

    /// <summary>
    /// Starts a span that continues a trace handed over by another process (the traceparent stored with an outbox
    /// row or a job). The parent is remote, so the span exists to carry the trace id even when nothing is sampled.
    /// </summary>
    public static Activity? ContinueTrace(string name, ActivityKind kind, string? traceParent) =>
        ActivityContext.TryParse(traceParent, null, isRemote: true, out var parent)
            ? Tracing.StartActivity(name, kind, parent)
            : Tracing.StartActivity(name, kind);

    private readonly Meter _meter;
    private readonly Counter<long> _booked;
    private readonly Counter<long> _cancelled;
    private readonly Counter<long> _noShows;
    private readonly Counter<long> _notificationsSent;
    private readonly Counter<long> _notificationsFailed;
    private readonly Counter<long> _failedLogins;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _rateLimitFallbacks;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Histogram<double> _jobDuration;

    public HealthcareMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        // [healthcare_appointments_booked_total], [..._cancelled_total], [..._no_show_total]
        _booked = _meter.CreateCounter<long>("healthcare.appointments.booked", "{appointment}", "Appointments booked.");
        _cancelled = _meter.CreateCounter<long>("healthcare.appointments.cancelled", "{appointment}", "Appointments cancelled.");
        _noShows = _meter.CreateCounter<long>("healthcare.appointments.no_show", "{appointment}", "Appointments marked as no-shows.");
        // [healthcare_notifications_sent_total{channel}], [healthcare_notifications_failed_total{channel}]
        _notificationsSent = _meter.CreateCounter<long>("healthcare.notifications.sent", "{notification}", "Notifications delivered, by channel.");
        _notificationsFailed = _meter.CreateCounter<long>("healthcare.notifications.failed", "{notification}", "Notifications that used up their attempts, by channel.");
        // [healthcare_logins_failed_total]
        _failedLogins = _meter.CreateCounter<long>("healthcare.logins.failed", "{attempt}", "Refused sign-in attempts (wrong password or code, throttled).");
        // [healthcare_cache_hits_total{cache}], [healthcare_cache_misses_total{cache}]
        _cacheHits = _meter.CreateCounter<long>("healthcare.cache.hits", "{request}", "Cache reads answered from the cache.");
        _cacheMisses = _meter.CreateCounter<long>("healthcare.cache.misses", "{request}", "Cache reads that had to compute the value.");
        // [healthcare_job_duration_seconds{job,outcome}]
        _rateLimited = _meter.CreateCounter<long>("healthcare.rate_limit.rejected", "{request}", "Requests refused with 429, by budget (user, anonymous, auth).");
        _rateLimitFallbacks = _meter.CreateCounter<long>("healthcare.rate_limit.local_fallback", "{request}", "Requests counted by the per-instance limiter because Redis was unavailable.");
        _jobDuration = _meter.CreateHistogram<double>(JobDuration, "s", "Background job run time, by job and outcome.");
    }

    /// <summary>
    /// Every series an alert or autoscaler reads exists from the first scrape: the counters this process adds to start
    /// at zero (the API's: bookings, cancellations, failed sign-ins).
    /// </summary>
    public void StartApiCounters()
    {
        _booked.Add(0);
        _cancelled.Add(0);
        _failedLogins.Add(0);
    }

    /// <summary>The worker's counters at zero from the first scrape: no-shows, and notifications per channel.</summary>
    public void StartWorkerCounters()
    {
        _noShows.Add(0);
        foreach (var channel in NotificationChannels.All)
        {
            _notificationsSent.Add(0, new KeyValuePair<string, object?>("channel", channel));
            _notificationsFailed.Add(0, new KeyValuePair<string, object?>("channel", channel));
        }
    }

    public void AppointmentBooked(int count = 1) => _booked.Add(count);

    public void AppointmentCancelled() => _cancelled.Add(1);

    public void NoShows(int count) => _noShows.Add(count);

    public void NotificationSent(string channel) => _notificationsSent.Add(1, new KeyValuePair<string, object?>("channel", channel));

    public void NotificationFailed(string channel) => _notificationsFailed.Add(1, new KeyValuePair<string, object?>("channel", channel));

    public void LoginFailed() => _failedLogins.Add(1);

    public void RateLimited(string policy) => _rateLimited.Add(1, new KeyValuePair<string, object?>("policy", policy));

    public void RateLimitFallback() => _rateLimitFallbacks.Add(1);

    public void CacheRead(string cache, bool hit) =>
        (hit ? _cacheHits : _cacheMisses).Add(1, new KeyValuePair<string, object?>("cache", cache));

    public void JobRan(string job, string outcome, TimeSpan duration) =>
        _jobDuration.Record(duration.TotalSeconds, new("job", job), new("outcome", outcome));

    /// <summary>
    /// [healthcare_audit_chain_intact], [healthcare_audit_chain_verified_timestamp_seconds] (worker): the last verification
    /// as stored in the job storage. Before the first one: intact (no break found) and verified at 0, "never".
    /// </summary>
    public void ObserveAuditVerification(JobStorage storage)
    {
        var last = new RefreshingValue<AuditVerificationState>(TimeSpan.FromSeconds(30), _ => Task.Run(() => AuditVerificationRecord.Read(storage)));
        last.Latest();
        _meter.CreateObservableGauge("healthcare.audit_chain.intact", () => Single(last.Latest() is { } v ? (v.Intact ? 1 : 0) : null), null,
            "1 unless the last audit-chain verification found a break (then 0).");
        _meter.CreateObservableGauge("healthcare.audit_chain.verified_timestamp", () => Single(last.Latest() is { } v ? v.At?.ToUnixTimeSeconds() ?? 0 : null), "s",
            "When the audit chains were last verified (Unix time; 0 before the first verification).");
    }

    /// <summary>Queue gauges (worker): [healthcare_queue_depth{queue}], processing, scheduled, failed.</summary>
    public void ObserveQueues(QueueStatistics statistics)
    {
        // The first read starts now, so the first scrape finds every queue.
        statistics.Latest();
        _meter.CreateObservableGauge("healthcare.queue.depth", () =>
            statistics.Latest() is { } s
                ? s.EnqueuedByQueue.Select(q => new Measurement<long>(q.Value, new KeyValuePair<string, object?>("queue", q.Key)))
                : [], "{job}", "Jobs waiting in each queue.");
        _meter.CreateObservableGauge("healthcare.queue.processing", () => Single(statistics.Latest()?.Processing), "{job}", "Jobs running now.");
        _meter.CreateObservableGauge("healthcare.queue.scheduled", () => Single(statistics.Latest()?.Scheduled), "{job}", "Jobs waiting for their time (retries, delayed work).");
        _meter.CreateObservableGauge("healthcare.queue.failed", () => Single(statistics.Latest()?.Failed), "{job}", "Jobs in the failed state.");
    }

    /// <summary>[healthcare_active_appointments{clinic_id}] (API): patients checked in or being seen, per clinic (zero included).</summary>
    public void ObserveActiveAppointments(IServiceScopeFactory scopes)
    {
        var counts = new RefreshingValue<Dictionary<Guid, int>>(TimeSpan.FromSeconds(10), async cancellationToken =>
        {
            await using var scope = scopes.CreateAsyncScope();
            return await ActiveAppointments.CountByClinicAsync(scope.ServiceProvider.GetRequiredService<HealthcareDbContext>(), cancellationToken);
        });
        counts.Latest();
        _meter.CreateObservableGauge("healthcare.active_appointments", () =>
            counts.Latest() is { } byClinic
                ? byClinic.Select(c => new Measurement<int>(c.Value, new KeyValuePair<string, object?>("clinic_id", c.Key.ToString())))
                : [], "{appointment}", "Appointments checked in or in progress, per clinic.");
    }

    /// <summary>Replica lag and whether reads use it; nothing is reported when no replica is configured.</summary>
    public void ObserveReadReplica(Data.ReadReplica replica)
    {
        if (!replica.IsConfigured)
        {
            return;
        }

        _meter.CreateObservableGauge("healthcare.db.replica_lag", () => replica.LagSeconds is { } lag ? [new Measurement<double>(lag)] : Array.Empty<Measurement<double>>(),
            "s", "Replication lag of the read replica at its last check (absent while it cannot be reached).");
        _meter.CreateObservableGauge("healthcare.db.replica_in_use", () => replica.IsUsable ? 1 : 0, null,
            "1 when list and directory reads go to the read replica, 0 when they fall back to the primary.");
    }

    public void Dispose() => _meter.Dispose();

    private static IEnumerable<Measurement<long>> Single(long? value) => value is { } v ? [new Measurement<long>(v)] : [];

}
