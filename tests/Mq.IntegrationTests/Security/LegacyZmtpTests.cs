using System.Buffers;
using System.Net.Sockets;
using MessagePack;
using Mq.Broker.Server;
using Mq.IntegrationTests.Infrastructure;
using Mq.Protocol;
using NetMQ;

namespace Mq.IntegrationTests.Security;

/// <summary>
/// A client speaking ZMTP 2.0 (no security mechanism in its greeting) against a secured broker, written byte by
/// byte over a raw TCP socket, as an attacker would.
/// </summary>
public sealed class LegacyZmtpTests
{
    private static readonly byte[] Zmtp2Greeting = [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, /* revision: ZMTP 2.0 */ 0x01, /* DEALER */ 0x05];

    /// <remarks>
    /// NetMQ 4.0.4.5 ran a ZMTP 2.0 client on a CurveServer socket without CURVE (NetMQ #1036). The broker now
    /// speaks ZMTP itself and refuses every legacy greeting at its revision byte: such a client gets the broker's
    /// own greeting, then the connection closes, long before any handshake deadline, and no Mq frame at all.
    /// </remarks>
    [Fact]
    public async Task A_zmtp2_client_is_closed_at_once_without_an_mq_frame_by_a_broker_with_curve_and_a_policy()
    {
        var brokerKeys = new NetMQCertificate();
        string policy = Path.Combine(Path.GetTempPath(), $"mq-policy-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(policy, """{ "users": {}, "roles": {} }""");
        try
        {
            await using var broker = await InProcessBroker.StartAsync(o =>
            {
                o.Curve = new BrokerCurveOptions { SecretKey = brokerKeys.SecretKeyZ85 };
                o.PolicyFile = policy;
                o.HandshakeTimeout = TimeSpan.FromSeconds(30);
            });
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", int.Parse(broker.Endpoint[(broker.Endpoint.LastIndexOf(':') + 1)..]));
            NetworkStream stream = tcp.GetStream();

            // ZMTP 2.0 starts with the identity frame: empty, let the ROUTER choose.
            byte[] legacy = [.. Zmtp2Greeting, .. Zmtp2Frame([]), .. Zmtp2Frame(Hello()),
                .. Zmtp2Frame(Command((ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 1, 1, ">", null)))];
            try
            {
                await stream.WriteAsync(legacy);
            }
            catch (IOException)
            {
                // The broker may close at the revision byte before the rest is written: the refusal under test.
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            int received = await ReadUntilClosedAsync(stream, TimeSpan.FromSeconds(10));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"closed only after {clock.Elapsed}");
            Assert.True(received <= 64, $"the broker sent {received} bytes: more than its ZMTP greeting");
            Assert.True((await broker.Server.GetStatsAsync()).HandshakesRefused >= 1);
        }
        finally
        {
            File.Delete(policy);
        }
    }

    /// <summary>Reads until the broker closes the connection (or the window ends, which fails); returns the bytes read.</summary>
    private static async Task<int> ReadUntilClosedAsync(NetworkStream stream, TimeSpan window)
    {
        using var cts = new CancellationTokenSource(window);
        byte[] buffer = new byte[4096];
        int total = 0;
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cts.Token)) > 0)
            {
                total += read;
            }
        }
        catch (IOException)
        {
            // Reset by the broker: closed too.
        }

        return total;
    }

    private delegate void Write(ref MessagePackWriter writer);

    private static byte[] Hello() => Command((ref MessagePackWriter w) => CommandWriter.WriteHello(ref w, ProtocolVersion.Current, "legacy", null));

    private static byte[] Command(Write write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
    private static byte[] Zmtp2Frame(byte[] body) => body.Length < 256
        ? [0x00, (byte)body.Length, .. body]
        : throw new ArgumentOutOfRangeException(nameof(body));
}
