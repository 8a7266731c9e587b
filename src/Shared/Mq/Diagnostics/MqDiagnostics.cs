namespace Mq.Diagnostics;

/// <summary>
/// The names an application needs to collect Mq's telemetry: the <see cref="System.Diagnostics.ActivitySource"/> of
/// its spans, the <see cref="System.Diagnostics.Metrics.Meter"/> of its client metrics, and the W3C trace context
/// headers it carries in messages and requests (docs/observability.md).
/// </summary>
public static class MqDiagnostics
{
    /// <summary>The activity source of every span the client starts (<c>AddSource("Mq")</c> with OpenTelemetry).</summary>
    public const string ActivitySourceName = "Mq";

    /// <summary>The meter of the client's metrics (<c>AddMeter("Mq.Client")</c> with OpenTelemetry).</summary>
    public const string MeterName = "Mq.Client";

    /// <summary>The W3C trace context header: the sending span's trace id, span id and flags.</summary>
    public const string TraceParentHeader = "traceparent";

    /// <summary>The W3C vendor-specific trace state header, carried along with <see cref="TraceParentHeader"/> when set.</summary>
    public const string TraceStateHeader = "tracestate";
}
