namespace Healthcare.ServiceDefaults.Logging;

/// <summary>This process's stored-log sink, once the logger has been built (none when LOG_STORE_LEVEL is off).</summary>
public sealed class LogStoreState
{
    /// <summary>
    /// The name events are stored under: the host name, which is the pod name in Kubernetes and the container id
    /// in Compose. The application name (<c>healthcare-api</c>, <c>healthcare-worker</c>) is stored beside it.
    /// </summary>
    public static string InstanceName { get; } = Environment.MachineName;

    public PostgresLogSink? Sink { get; internal set; }
}
