using System.Diagnostics;
using Mq.Client;

namespace Mq.Diagnostics;

/// <summary>
/// The client's spans, after OpenTelemetry's messaging conventions, and the W3C trace context they carry in headers.
/// Every entry point returns at once, allocating nothing, while nobody listens to the source and no activity is current.
/// </summary>
internal static class MqTracing
{
    internal static readonly ActivitySource Source = new(MqDiagnostics.ActivitySourceName, typeof(MqTracing).Assembly.GetName().Version?.ToString());

    /// <summary>Whether an outgoing command may carry a trace context: a listener may start a span, or one is current.</summary>
    public static bool Active => Source.HasListeners() || Activity.Current is not null;

    /// <summary>
    /// A producer span for a PUB, and <paramref name="headers"/> with its context (or, unsampled, the current one)
    /// added. The caller stops the span once the command is queued.
    /// </summary>
    public static Activity? StartPublish(string subject, int bodySize, ref IReadOnlyDictionary<string, string>? headers)
    {
        if (!Active)
        {
            return null;
        }

        Activity? current = Activity.Current;
        Activity? activity = Start($"{MessagingTags.Publish} {subject}", ActivityKind.Producer, default, MessagingTags.Send, MessagingTags.Publish, subject, bodySize);
        headers = Inject(activity ?? current, headers);

        // Nothing runs inside a publish span, and PublishAsync is no async method that would undo the change for its caller.
        Activity.Current = current;
        return activity;
    }

    /// <summary>A client span for a request, and its headers with the span's context added.</summary>
    public static Activity? StartRequest(string service, int bodySize, ref IReadOnlyDictionary<string, string>? headers)
    {
        if (!Active)
        {
            return null;
        }

        Activity? activity = Start($"{MessagingTags.Send} {service}", ActivityKind.Client, default, MessagingTags.Send, MessagingTags.Send, service, bodySize);
        headers = Inject(activity ?? Activity.Current, headers);
        return activity;
    }

    /// <summary>A consumer span around a subscription handler, a child of the publisher's span when the message carries one.</summary>
    public static Activity? StartProcess(MqMessage message, MqSubscription subscription)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        Activity? activity = StartRemote($"{MessagingTags.Process} {message.Subject}", ActivityKind.Consumer, message.Headers, message.Subject, message.Data.Length);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(MessagingTags.DestinationTemplate, subscription.Pattern);
            if (subscription.QueueGroup is not null)
            {
                activity.SetTag(MessagingTags.ConsumerGroup, subscription.QueueGroup);
            }
        }

        return activity;
    }

    /// <summary>A server span around a service handler, a child of the requester's span when the request carries one.</summary>
    public static Activity? StartServe(MqRequest request)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        return StartRemote($"{MessagingTags.Process} {request.Service}", ActivityKind.Server, request.Headers, request.Service, request.Data.Length);
    }

    /// <summary>Marks the span failed: error status, <c>error.type</c> (the exception's type) and an exception event.</summary>
    public static void Fail(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        if (activity.IsAllDataRequested)
        {
            activity.SetTag(MessagingTags.ErrorType, exception.GetType().FullName);
            activity.AddException(exception);
        }
    }

    /// <summary>The remote parent a sender put in <paramref name="headers"/>, or default (no parent: a new trace).</summary>
    internal static ActivityContext Extract(IReadOnlyDictionary<string, string>? headers)
    {
        if (headers is null || !headers.ContainsKey(MqDiagnostics.TraceParentHeader))
        {
            return default;
        }

        DistributedContextPropagator.Current.ExtractTraceIdAndState(headers, GetHeader, out string? traceParent, out string? traceState);
        return ActivityContext.TryParse(traceParent, traceState, isRemote: true, out ActivityContext context) ? context : default;
    }

    /// <summary>A process span whose parent and baggage are the ones the sender put in <paramref name="headers"/>.</summary>
    private static Activity? StartRemote(string name, ActivityKind kind, IReadOnlyDictionary<string, string>? headers, string destination, int bodySize)
    {
        Activity? activity = Start(name, kind, Extract(headers), MessagingTags.Process, MessagingTags.Process, destination, bodySize);
        if (activity is not null && headers is not null && DistributedContextPropagator.Current.ExtractBaggage(headers, GetHeader) is { } baggage)
        {
            foreach (KeyValuePair<string, string?> item in baggage)
            {
                activity.AddBaggage(item.Key, item.Value);
            }
        }

        return activity;
    }

    private static Activity? Start(string name, ActivityKind kind, ActivityContext parent, string operationType, string operationName, string destination, int bodySize)
    {
        // Without a remote parent a span joins whatever is current where the command is sent or handled.
        Activity? activity = Source.StartActivity(name, kind, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(MessagingTags.System, MessagingTags.SystemName);
            activity.SetTag(MessagingTags.OperationType, operationType);
            activity.SetTag(MessagingTags.OperationName, operationName);
            activity.SetTag(MessagingTags.DestinationName, destination);
            activity.SetTag(MessagingTags.BodySize, bodySize);
        }

        return activity;
    }

    /// <summary>A copy of <paramref name="headers"/> with the context of <paramref name="activity"/> in it; the caller's own map is never changed.</summary>
    private static IReadOnlyDictionary<string, string>? Inject(Activity? activity, IReadOnlyDictionary<string, string>? headers)
    {
        if (activity is null)
        {
            return headers;
        }

        var carrier = headers is null
            ? new Dictionary<string, string>(2, StringComparer.Ordinal)
            : new Dictionary<string, string>(headers, StringComparer.Ordinal);
        DistributedContextPropagator.Current.Inject(activity, carrier, SetHeader);
        return carrier;
    }

    private static void SetHeader(object? carrier, string name, string value) => ((Dictionary<string, string>)carrier!)[name] = value;

    private static void GetHeader(object? carrier, string name, out string? value, out IEnumerable<string>? values)
    {
        values = null;
        ((IReadOnlyDictionary<string, string>)carrier!).TryGetValue(name, out value);
    }
}
