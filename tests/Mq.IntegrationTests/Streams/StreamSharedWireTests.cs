using MessagePack;
using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;

namespace Mq.IntegrationTests.Streams;

/// <summary>A shared durable consumer as a peer written from docs/protocol.md section 7.3 reads it: CONSUME's field 13, MSG, MACK.</summary>
public sealed class StreamSharedWireTests
{
    [Fact]
    public async Task Two_raw_peers_sharing_a_durable_consumer_get_one_message_each_and_acknowledge_it()
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        using var first = new RawPeer(broker.Broker.Endpoint);
        using var second = new RawPeer(broker.Broker.Endpoint);
        foreach (RawPeer peer in new[] { first, second })
        {
            peer.Handshake();
            // CONSUME [36, 7, 3, "orders", 1, 0, 100, "billing", 0, 0, nil, nil, 1], as the protocol's example writes it.
            peer.Send((ref MessagePackWriter w) =>
            {
                w.WriteArrayHeader(13);
                w.Write(36);
                w.Write(7);
                w.Write(3);
                w.Write("orders");
                w.Write(1);
                w.Write(0);
                w.Write(100);
                w.Write("billing");
                w.Write(0);
                w.Write(0);
                w.WriteNil();
                w.WriteNil();
                w.Write(1);
            });
            CommandReader ok = peer.Expect(CommandCode.Ok).Reader();
            Assert.Equal(7UL, ok.ReadUInt());
        }

        MqClient publisher = await broker.ConnectAsync("publisher");
        await publisher.PublishDurableAsync("orders.eu.created", new byte[] { 1 });
        await publisher.PublishDurableAsync("orders.eu.created", new byte[] { 2 });

        var sequences = new List<ulong>();
        foreach (RawPeer peer in new[] { first, second })
        {
            CommandReader msg = peer.Expect(CommandCode.Msg).Reader();
            Assert.Equal(3UL, msg.ReadUInt());
            Assert.Equal(1UL, msg.ReadUInt());
            Assert.Equal("orders.eu.created", msg.ReadString(256));
            msg.ReadHeadersRaw();
            msg.ReadBinary();
            ulong sequence = msg.ReadUInt();
            msg.ReadUInt();
            Assert.Equal(1UL, msg.ReadUInt());
            sequences.Add(sequence);
            peer.Send((ref MessagePackWriter w) => CommandWriter.WriteStreamAck(ref w, 3, sequence));
        }

        Assert.Equal([1UL, 2UL], sequences.Order());
        await Waits.UntilAsync(async () => await FloorAsync(publisher) == 2, "the floor at 2 from both peers' MACKs");
    }

    [Theory]
    [InlineData("billing", 2, "CONSUME's shared field is 0 or 1, not 2")]
    [InlineData(null, 1, "only a durable consumer can be shared: name it")]
    public async Task A_shared_field_that_does_not_fit_is_malformed(string? durable, int shared, string reason)
    {
        await using StreamBroker broker = await StreamBroker.StartAsync();
        using var peer = new RawPeer(broker.Broker.Endpoint);
        peer.Handshake();
        peer.Send((ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(13);
            w.Write(36);
            w.Write(9);
            w.Write(1);
            w.Write("orders");
            w.Write(1);
            w.Write(0);
            w.Write(10);
            if (durable is null)
            {
                w.WriteNil();
            }
            else
            {
                w.Write(durable);
            }

            w.Write(0);
            w.Write(0);
            w.WriteNil();
            w.WriteNil();
            w.Write(shared);
        });

        CommandReader error = peer.Expect(CommandCode.Error).Reader();
        Assert.Equal(9UL, error.ReadUInt());
        Assert.Equal((ulong)ErrorCode.Malformed, error.ReadUInt());
        Assert.Equal(reason, error.ReadString(1024));
    }

    private static async Task<long> FloorAsync(MqClient client)
    {
        Dictionary<string, object?> info = await StreamBroker.AdminAsync(client, StreamNames.Info, new() { ["name"] = "orders" });
        var consumer = ((object[])info["durable_consumers"]!).Cast<Dictionary<object, object>>().Single(d => (string)d["name"] == "billing");
        return Convert.ToInt64(consumer["ack_floor"], System.Globalization.CultureInfo.InvariantCulture);
    }
}
