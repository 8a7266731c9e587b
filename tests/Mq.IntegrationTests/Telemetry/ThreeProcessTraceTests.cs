using Mq.Testing;
using Mq.TraceDemo;

namespace Mq.IntegrationTests.Telemetry;

/// <summary>
/// Process A requests <c>trace.demo</c> from process B, whose handler publishes <c>trace.done</c> to process C
/// (tests/Mq.TestApps/Mq.TraceDemo). Each collects its spans with OpenTelemetry's in-memory exporter and prints them:
/// one trace runs through all three, each span the child of the one that caused it.
/// </summary>
public sealed class ThreeProcessTraceTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    private const string App = "Mq.TraceDemo";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task One_trace_runs_from_a_request_through_its_server_to_a_subscriber_in_a_third_process()
    {
        TestBroker broker = fixture.Broker;
        await using PeerProcess c = await broker.StartPeerAsync(PeerStart.App(App, "subscribe") with { Name = "C (subscribe)" });
        await using PeerProcess b = await broker.StartPeerAsync(PeerStart.App(App, "serve") with { Name = "B (serve)" });
        await using PeerProcess a = broker.SpawnPeer(PeerStart.App(App, "request") with { Name = "A (request)" });

        foreach (PeerProcess peer in new[] { a, b, c })
        {
            await peer.ExpectExitAsync(0, Timeout);
        }

        SpanLine root = Span(a, "demo.request");
        SpanLine send = Span(a, "send trace.demo");
        SpanLine serve = Span(b, "process trace.demo");
        SpanLine work = Span(b, "demo.work");
        SpanLine publish = Span(b, "publish trace.done");
        SpanLine process = Span(c, "process trace.done");
        SpanLine received = Span(c, "demo.received");

        Assert.All([send, serve, work, publish, process, received], span => Assert.Equal(root.TraceId, span.TraceId));
        Assert.Null(root.ParentSpanId);
        Assert.Equal(root.SpanId, send.ParentSpanId);
        Assert.Equal(send.SpanId, serve.ParentSpanId);
        Assert.Equal(serve.SpanId, work.ParentSpanId);
        Assert.Equal(work.SpanId, publish.ParentSpanId);
        Assert.Equal(publish.SpanId, process.ParentSpanId);
        Assert.Equal(process.SpanId, received.ParentSpanId);

        Assert.Equal(("Client", "Server", "Producer", "Consumer"), (send.Kind, serve.Kind, publish.Kind, process.Kind));
        Assert.All([send, serve, publish, process], span => Assert.Equal("mq", span.Tags["messaging.system"]));
        Assert.Equal("trace.done", process.Tags["messaging.destination.name"]);
    }

    /// <summary>The one span named <paramref name="name"/> that <paramref name="peer"/> printed.</summary>
    private static SpanLine Span(PeerProcess peer, string name)
    {
        List<SpanLine> spans = [.. peer.StandardOutput.Select(SpanLine.Parse).OfType<SpanLine>()];
        SpanLine? span = spans.SingleOrDefault(s => s.Name == name);
        Assert.True(span is not null, $"{peer.Name} printed no single span '{name}':\n{peer.Output}");
        return span!;
    }
}
