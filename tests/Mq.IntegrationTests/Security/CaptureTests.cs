using System.Text;
using Mq.Testing;
using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using NetMQ;

namespace Mq.IntegrationTests.Security;

/// <summary>What a network observer sees: peers talk through a recording relay, with and without the broker key (the secure channel).</summary>
public sealed class CaptureTests
{
    private const string SubjectMarker = "capturesubjectmarker";
    private const string PublishMarker = "PUBLISH-PLAINTEXT-MARKER-7f3a";
    private const string RequestMarker = "REQUEST-PLAINTEXT-MARKER-91c2";
    private const string ReplyMarker = "REPLY-PLAINTEXT-MARKER-c0d4";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task With_the_secure_channel_the_wire_carries_no_plaintext_and_without_it_does(bool curve)
    {
        var brokerKeys = new NetMQCertificate();
        await using var broker = new InProcessBroker(o =>
        {
            o.Curve = new Broker.Server.BrokerCurveOptions { SecretKey = curve ? brokerKeys.SecretKeyZ85 : null };
            return o;
        });
        await using var relay = new TcpProxy(broker.Endpoint);
        MqClientOptions Through(MqClientOptions o) => o with { Endpoint = relay.Endpoint, BrokerPublicKey = curve ? brokerKeys.PublicKeyZ85 : null };
        MqClient serving = await broker.ConnectAsync("serving", Through);
        MqClient calling = await broker.ConnectAsync("calling", Through);

        await using MqSubscription subscription = await serving.SubscribeAsync($"{SubjectMarker}.>");
        await using MqService service = await serving.ServeAsync<string, string>($"{SubjectMarker}.svc", (request, _) =>
            ValueTask.FromResult(request == RequestMarker ? ReplyMarker : "unexpected"));
        await calling.PublishAsync($"{SubjectMarker}.event", PublishMarker);
        string reply = await calling.RequestAsync<string, string>($"{SubjectMarker}.svc", RequestMarker);
        List<MqMessage> received = await subscription.TakeAsync(1);

        // The traffic did flow, through the relay.
        Assert.Equal(ReplyMarker, reply);
        Assert.Equal(PublishMarker, received[0].Deserialize<string>());
        byte[] wire = relay.Recorded;
        Assert.NotEmpty(wire);
        foreach (string marker in new[] { SubjectMarker, PublishMarker, RequestMarker, ReplyMarker })
        {
            bool seen = wire.AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker)) >= 0;
            Assert.True(seen != curve, $"{marker} {(seen ? "was" : "was not")} on the wire with the channel {(curve ? "on" : "off")} ({wire.Length} bytes recorded)");
        }
    }
}
