using System.Diagnostics;
using Hangfire.Client;
using Hangfire.Server;
using Healthcare.Core.Observability;

namespace Healthcare.Core.Jobs;

/// <summary>
/// Carries the trace of whoever created a job (the request behind an outbox row, a recurring schedule) into the
/// job's own span, and records each run's duration and outcome in <c>healthcare_job_duration_seconds</c>.
/// </summary>
public sealed class JobTelemetryFilter(HealthcareMetrics metrics) : IClientFilter, IServerFilter
{
    private const string TraceParent = "traceparent";
    private const string ActivityItem = "healthcare.activity";
    private const string StartedItem = "healthcare.started";

    public void OnCreating(CreatingContext context)
    {
        if (Activity.Current?.Id is { } id)
        {
            context.SetJobParameter(TraceParent, id);
        }
    }

    public void OnCreated(CreatedContext context)
    {
    }

    public void OnPerforming(PerformingContext context)
    {
        var parent = context.GetJobParameter<string>(TraceParent);
        context.Items[ActivityItem] = HealthcareMetrics.ContinueTrace($"job {JobName(context)}", ActivityKind.Consumer, parent);
        context.Items[StartedItem] = Stopwatch.GetTimestamp();
    }

    public void OnPerformed(PerformedContext context)
    {
        var failed = context.Exception is not null && !context.ExceptionHandled;
        if (context.Items.TryGetValue(ActivityItem, out var item) && item is Activity activity)
        {
            activity.SetTag("job.id", context.BackgroundJob.Id);
            if (failed)
            {
                // The exception's type only: messages may quote addresses.
                activity.SetStatus(ActivityStatusCode.Error, context.Exception!.GetType().Name);
            }

            activity.Dispose();
        }

        if (context.Items.TryGetValue(StartedItem, out var started) && started is long timestamp)
        {
            metrics.JobRan(JobName(context), failed ? "failed" : "succeeded", Stopwatch.GetElapsedTime(timestamp));
        }
    }

    /// <summary><c>NotificationDelivery.DeliverAsync</c>: the class and method, never arguments.</summary>
    public static string JobName(PerformContext context) =>
        $"{context.BackgroundJob.Job.Type.Name}.{context.BackgroundJob.Job.Method.Name}";
}
