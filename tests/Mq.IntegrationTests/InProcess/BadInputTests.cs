using System.Buffers;
using System.Net.Sockets;
using MessagePack;
using Mq.Broker.Server;
using Mq.Client;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;

namespace Mq.IntegrationTests.InProcess;

/// <summary>Whatever arrives on the broker's port, it refuses what is wrong and keeps serving everyone else.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private InProcessBroker _broker = null!;
    private MqClient _publisher = null!;
    private MqClient _subscriber = null!;

    public async Task InitializeAsync()
    {
        _broker = await InProcessBroker.StartAsync(o =>
        {
            o.MaxPayloadBytes = 64 * 1024;
        });
        _publisher = await _broker.ConnectAsync("well-behaved-publisher");
        _subscriber = await _broker.ConnectAsync("well-behaved-subscriber");
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task Thousands_of_random_and_mutated_frames_are_refused_and_well_behaved_peers_lose_nothing()
    {
        await using MqSubscription subscription = await _subscriber.SubscribeAsync("steady");
        await using MqService echo = await _subscriber.ServeAsync("echo", (r, _) => ValueTask.FromResult(r.Data));
        byte[][] valid = ValidCommands();
        var random = new Random(4242);
        var peers = Enumerable.Range(0, 8).Select(i => new RawPeer(_broker.Endpoint)).ToList();
        try
        {
            for (int i = 0; i < peers.Count; i += 2)
            {
                peers[i].Handshake($"fuzzer-{i}");
            }

            int sent = 0;
            for (int round = 0; round < 20_000; round++)
            {
                peers[round % peers.Count].SendRaw(Mutate(valid[random.Next(valid.Length)], random));
                sent++;
                if (round % 2_000 == 0)
                {
                    // Interleave real traffic: it must keep flowing during the attack.
                    await _publisher.PublishAsync("steady", round);
                }
            }

            Assert.Equal(20_000, sent);
        }
        finally
        {
            peers.ForEach(p => p.Dispose());
        }

        await _publisher.PublishAsync("steady", -1);
        List<MqMessage> received = await subscription.TakeAsync(11, TimeSpan.FromSeconds(30));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 2_000).Append(-1), received.Select(m => m.Deserialize<int>()));
        Assert.Equal([1, 2, 3], (await _publisher.RequestAsync("echo", new byte[] { 1, 2, 3 })).Data.ToArray());
        BrokerStats stats = await _broker.Server.GetStatsAsync();
        Assert.True(stats.Refused > 1_000, $"only {stats.Refused} refusals counted");
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")]
    [InlineData("\u00ff\0\0\0\0\0\0\0\u0001\u007f")] // a ZMTP 1.0 greeting
    [InlineData("\u00ff\0\0\0\0\0\0\0\u0001\u007f\u0001\u0005\u0000\u0001\u0000")] // ZMTP 2.0, as a legacy DEALER would
    [InlineData("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0")]
    public async Task Raw_non_zeromq_bytes_and_legacy_greetings_do_not_disturb_the_broker(string garbage)
    {
        await SendRawTcpAsync(System.Text.Encoding.Latin1.GetBytes(garbage));
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task A_frame_announcing_gigabytes_is_cut_off_by_the_size_limit_and_the_broker_lives()
    {
        // A valid ZMTP 3.0 greeting and READY, then a frame header claiming a 2 GiB body.
        var bytes = new List<byte> { 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3, 0 };
        bytes.AddRange("NULL"u8.ToArray());
        bytes.AddRange(new byte[16]);
        bytes.Add(0);
        bytes.AddRange(new byte[31]);
        byte[] ready = [5, .. "READY"u8, 11, .. "Socket-Type"u8, 0, 0, 0, 6, .. "DEALER"u8];
        bytes.Add(0x04);
        bytes.Add((byte)ready.Length);
        bytes.AddRange(ready);
        bytes.AddRange([0x02, 0, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF]);
        bytes.AddRange(new byte[4096]);

        await SendRawTcpAsync([.. bytes]);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task A_thousand_connect_disconnect_cycles_leave_no_sessions_behind()
    {
        for (int i = 0; i < 1_000; i++)
        {
            using var peer = new RawPeer(_broker.Endpoint);
            if (i % 2 == 0)
            {
                peer.Handshake($"cycle-{i}");
            }
        }

        await AssertStillServesAsync();
        await Waits.UntilAsync(async () => (await _broker.Server.GetStatsAsync()).Peers == 2, "sessions of closed connections being forgotten", TimeSpan.FromSeconds(30));
    }

    private async Task SendRawTcpAsync(byte[] bytes)
    {
        var uri = new Uri(_broker.Endpoint.Replace("tcp://", "http://", StringComparison.Ordinal));
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        NetworkStream stream = client.GetStream();
        try
        {
            await stream.WriteAsync(bytes);
            await stream.FlushAsync();

            // The broker answers with its own greeting or closes; either way, read what comes, bounded.
            var buffer = new byte[256];
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            while (await stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
        {
            // Closed by the broker or nothing more to read: both are fine.
        }
    }

    private async Task AssertStillServesAsync()
    {
        string subject = $"alive.{Guid.NewGuid():N}";
        await using MqSubscription subscription = await _subscriber.SubscribeAsync(subject);
        await _publisher.PublishAsync(subject, "still here");
        Assert.Equal("still here", (await subscription.TakeAsync(1)).Single().Deserialize<string>());
    }

    private static byte[][] ValidCommands()
    {
        var commands = new List<byte[]>();
        void Add(RawPeer.Write write)
        {
            var buffer = new ArrayBufferWriter<byte>();
            var writer = new MessagePackWriter(buffer);
            write(ref writer);
            writer.Flush();
            commands.Add(buffer.WrittenSpan.ToArray());
        }

        Add((ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, 1, "fuzz", null));
        Add((ref MessagePackWriter w) => CommandWriter.WritePub(ref w, "fuzz.subject", new Dictionary<string, string> { ["k"] = "v" }, [1, 2, 3]));
        Add((ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 1, 7, "fuzz.>", "group"));
        Add((ref MessagePackWriter w) => CommandWriter.WriteUnsub(ref w, 2, 7));
        Add((ref MessagePackWriter w) => CommandWriter.WriteReq(ref w, 3, "echo", 100, null, [4]));
        Add((ref MessagePackWriter w) => CommandWriter.WriteRep(ref w, 1, ErrorCode.None, null, null, [5]));
        Add((ref MessagePackWriter w) => CommandWriter.WriteServe(ref w, 4, "fuzz.service"));
        Add((ref MessagePackWriter w) => CommandWriter.WritePing(ref w, 5));
        Add((ref MessagePackWriter w) => CommandWriter.WriteReq(ref w, 6, "echo", 100, null, [4], 8));
        Add((ref MessagePackWriter w) => CommandWriter.WriteCancel(ref w, 6));
        Add((ref MessagePackWriter w) => CommandWriter.WriteRepPart(ref w, 1, null, [5]));
        Add((ref MessagePackWriter w) => CommandWriter.WriteGrant(ref w, 6, 4));
        Add((ref MessagePackWriter w) => CommandWriter.WriteReqAll(ref w, 7, "echo", 100, null, [4], 1));
        Add((ref MessagePackWriter w) => CommandWriter.WriteBye(ref w, "bye"));
        return [.. commands];
    }

    /// <summary>Random bytes, or a valid command truncated, extended, bit-flipped or with a byte replaced.</summary>
    private static byte[] Mutate(byte[] valid, Random random)
    {
        byte[] bytes = (byte[])valid.Clone();
        switch (random.Next(6))
        {
            case 0:
                bytes = new byte[random.Next(0, 64)];
                random.NextBytes(bytes);
                return bytes;
            case 1:
                return bytes[..random.Next(0, bytes.Length)];
            case 2:
                byte[] tail = new byte[random.Next(1, 32)];
                random.NextBytes(tail);
                return [.. bytes, .. tail];
            default:
                for (int flips = random.Next(1, 4); flips > 0; flips--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return bytes;
        }
    }
}
