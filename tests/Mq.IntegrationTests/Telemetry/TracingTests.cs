using System.Diagnostics;
using Mq.Client;
using Mq.Diagnostics;
using Mq.Errors;
using Mq.IntegrationTests.Infrastructure;

namespace Mq.IntegrationTests.Telemetry;

[Collection(TelemetryCollection.Name)]
public sealed class TracingTests : IAsyncLifetime
{
    private InProcessBroker _broker = null!;
    private MqClient _publisher = null!;
    private MqClient _subscriber = null!;

    public async Task InitializeAsync()
    {
        _broker = await InProcessBroker.StartAsync();
        _publisher = await _broker.ConnectAsync("tracing-publisher");
        _subscriber = await _broker.ConnectAsync("tracing-subscriber");
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task A_delivered_message_is_processed_in_a_child_of_its_publish_span_and_the_handler_span_is_a_grandchild()
    {
        using var recorder = new ActivityRecorder();
        var handled = new TaskCompletionSource<(MqMessage Message, string? HandlerParent)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using MqSubscription subscription = await _subscriber.SubscribeAsync("trace.orders.*", (message, _) =>
        {
            using Activity? work = ActivityRecorder.TestSource.StartActivity("handler work");
            handled.TrySetResult((message, work?.ParentSpanId.ToHexString()));
            return ValueTask.CompletedTask;
        }, queueGroup: "billing");

        ActivityTraceId traceId;
        using (Activity root = ActivityRecorder.TestSource.StartActivity("test")!)
        {
            traceId = root.TraceId;
            root.TraceStateString = "vendor=1";
            root.AddBaggage("tenant.id", "eu-7");
            await _publisher.PublishAsync("trace.orders.created", new ReadOnlyMemory<byte>([1, 2, 3]), new Dictionary<string, string> { ["tenant"] = "eu" });
        }

        (MqMessage message, string? handlerParent) = await handled.Task.WaitAsync(Waits.Default);
        Activity publish = await recorder.WaitForAsync(traceId, "publish trace.orders.created");
        Activity process = await recorder.WaitForAsync(traceId, "process trace.orders.created");

        Assert.Equal(ActivityKind.Producer, publish.Kind);
        Assert.Equal("mq", publish.GetTagItem("messaging.system"));
        Assert.Equal("send", publish.GetTagItem("messaging.operation.type"));
        Assert.Equal("publish", publish.GetTagItem("messaging.operation.name"));
        Assert.Equal("trace.orders.created", publish.GetTagItem("messaging.destination.name"));
        Assert.Equal(3, publish.GetTagItem("messaging.message.body.size"));

        Assert.Equal(ActivityKind.Consumer, process.Kind);
        Assert.Equal(publish.SpanId, process.ParentSpanId);
        Assert.Equal("process", process.GetTagItem("messaging.operation.type"));
        Assert.Equal("trace.orders.*", process.GetTagItem("messaging.destination.template"));
        Assert.Equal("billing", process.GetTagItem("messaging.consumer.group.name"));
        Assert.Equal(ActivityStatusCode.Unset, process.Status);
        Assert.Equal(process.SpanId.ToHexString(), handlerParent);

        // The broker forwards the header block as sent: the application's header and the trace context both arrive.
        Assert.Equal("eu", message.Headers!["tenant"]);
        Assert.StartsWith($"00-{traceId}-{publish.SpanId}-", message.Headers[MqDiagnostics.TraceParentHeader], StringComparison.Ordinal);
        Assert.Equal("vendor=1", message.Headers[MqDiagnostics.TraceStateHeader]);
        Assert.Equal("vendor=1", process.TraceStateString);
        Assert.Equal("eu-7", process.GetBaggageItem("tenant.id"));
    }

    [Fact]
    public async Task A_failing_subscription_handler_marks_its_span_failed()
    {
        using var recorder = new ActivityRecorder();
        await using MqSubscription subscription = await _subscriber.SubscribeAsync("trace.fail", (_, _) => throw new InvalidOperationException("no stock"));

        ActivityTraceId traceId;
        using (Activity root = ActivityRecorder.TestSource.StartActivity("test")!)
        {
            traceId = root.TraceId;
            await _publisher.PublishAsync("trace.fail", "x");
        }

        Activity process = await recorder.WaitForAsync(traceId, "process trace.fail");
        Assert.Equal(ActivityStatusCode.Error, process.Status);
        Assert.Equal("no stock", process.StatusDescription);
        Assert.Equal(typeof(InvalidOperationException).FullName, process.GetTagItem("error.type"));
        Assert.Contains(process.Events, e => e.Name == "exception");
    }

    [Fact]
    public async Task A_request_is_served_in_a_child_of_its_send_span_and_a_failure_marks_both()
    {
        using var recorder = new ActivityRecorder();
        await using MqService service = await _subscriber.ServeAsync("trace.quote", (request, _) =>
        {
            using Activity? work = ActivityRecorder.TestSource.StartActivity("pricing");
            if (request.ToJson() == "\"fail\"")
            {
                throw new InvalidOperationException("no price");
            }

            return ValueTask.FromResult<ReadOnlyMemory<byte>>(request.Data);
        });

        ActivityTraceId traceId;
        using (Activity root = ActivityRecorder.TestSource.StartActivity("test")!)
        {
            traceId = root.TraceId;
            await _publisher.RequestAsync<string, string>("trace.quote", "ok");
            await Assert.ThrowsAsync<RemoteErrorException>(async () => await _publisher.RequestAsync<string, string>("trace.quote", "fail"));
        }

        IReadOnlyList<Activity> sends = await recorder.WaitForAsync(traceId, "send trace.quote", 2);
        IReadOnlyList<Activity> serves = await recorder.WaitForAsync(traceId, "process trace.quote", 2);
        Activity pricing = await recorder.WaitForAsync(traceId, "pricing");

        Assert.All(sends, s => Assert.Equal(ActivityKind.Client, s.Kind));
        Assert.All(serves, s => Assert.Equal(ActivityKind.Server, s.Kind));
        Assert.All(serves, s => Assert.Contains(sends, c => c.SpanId == s.ParentSpanId));
        Assert.Contains(serves, s => s.SpanId == pricing.ParentSpanId);
        Assert.Equal("trace.quote", sends[0].GetTagItem("messaging.destination.name"));

        Activity failedSend = Assert.Single(sends, s => s.Status == ActivityStatusCode.Error);
        Assert.Equal(typeof(RemoteErrorException).FullName, failedSend.GetTagItem("error.type"));
        Activity failedServe = Assert.Single(serves, s => s.Status == ActivityStatusCode.Error);
        Assert.Equal(typeof(InvalidOperationException).FullName, failedServe.GetTagItem("error.type"));
        Assert.Equal(failedSend.SpanId, failedServe.ParentSpanId);
    }

    [Fact]
    public async Task Without_a_listener_or_a_current_activity_no_header_is_added()
    {
        Assert.False(MqTracing.Source.HasListeners());
        Assert.Null(Activity.Current);
        var served = new TaskCompletionSource<IReadOnlyDictionary<string, string>?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using MqService service = await _subscriber.ServeAsync("trace.plain", (request, _) =>
        {
            served.TrySetResult(request.Headers);
            return ValueTask.FromResult(ReadOnlyMemory<byte>.Empty);
        });
        await using MqSubscription subscription = await _subscriber.SubscribeAsync("trace.plain");

        // Raw payloads: a typed one would carry its content type.
        await _publisher.PublishAsync("trace.plain", new ReadOnlyMemory<byte>([1]));
        await _publisher.RequestAsync("trace.plain", ReadOnlyMemory<byte>.Empty);

        Assert.Null((await subscription.TakeAsync(1)).Single().Headers);
        Assert.Null(await served.Task.WaitAsync(Waits.Default));
    }

    [Fact]
    public void Without_a_listener_the_publish_and_metric_hooks_allocate_nothing()
    {
        Assert.False(MqTracing.Source.HasListeners());
        IReadOnlyDictionary<string, string>? headers = null;
        Hooks();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            Hooks();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Null(headers);

        void Hooks()
        {
            Assert.Null(MqTracing.StartPublish("trace.cheap", 10, ref headers));
            Assert.False(ClientTelemetry.ObservesRequests);
            MqMetrics.Published();
            MqMetrics.Received();
            MqMetrics.Lost(1, local: true);
        }
    }

    [Fact]
    public async Task Without_a_listener_the_current_activity_still_travels()
    {
        Assert.False(MqTracing.Source.HasListeners());
        await using MqSubscription subscription = await _subscriber.SubscribeAsync("trace.current");
        using var outer = new Activity("incoming http request");
        outer.Start();

        await _publisher.PublishAsync("trace.current", "x");

        MqMessage message = (await subscription.TakeAsync(1)).Single();
        Assert.Equal(outer.Id, message.Headers![MqDiagnostics.TraceParentHeader]);
        Assert.Same(outer, Activity.Current);
    }
}
