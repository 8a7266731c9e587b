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
    /// NetMQ 4.0.4.5 accepts a ZMTP 2.0 client whatever the socket's mechanism (NetMQ #1036), which is why the broker
    /// no longer relies on ZMTP security at all: such a client reaches the broker and sees its CONNECTED greeting,
    /// and then meets the secure channel. Without SECURE it gets only ERROR EncryptionRequired: not even a CHALLENGE.
    /// </remarks>
    [Fact]
    public async Task A_zmtp2_client_gets_no_session_from_a_broker_with_a_key_and_a_policy()
    {
        var brokerKeys = new NetMQCertificate();
        string policy = Path.Combine(Path.GetTempPath(), $"mq-policy-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(policy, """{ "users": {}, "roles": {} }""");
        try
        {
            await using var broker = new InProcessBroker(o =>
            {
                o.Curve = new BrokerCurveOptions { SecretKey = brokerKeys.SecretKeyZ85 };
                o.PolicyFile = policy;
                return o;
            });
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", int.Parse(broker.Endpoint[(broker.Endpoint.LastIndexOf(':') + 1)..]));
            NetworkStream stream = tcp.GetStream();

            await stream.WriteAsync(Zmtp2Greeting);
            await stream.WriteAsync(Zmtp2Frame([]));  // ZMTP 2.0 starts with the identity frame: empty, let the ROUTER choose
            await stream.WriteAsync(Zmtp2Frame(Hello()));
            await stream.WriteAsync(Zmtp2Frame(Command((ref MessagePackWriter w) => CommandWriter.WriteAuth(ref w, "admin", new byte[64]))));
            await stream.WriteAsync(Zmtp2Frame(Command((ref MessagePackWriter w) => CommandWriter.WriteSub(ref w, 1, 1, ">", null))));

            List<CommandCode> seen = await ReadCommandsAsync(stream, stopAt: CommandCode.Welcome, window: TimeSpan.FromSeconds(5));
            Assert.Contains(CommandCode.Connected, seen);
            Assert.Contains(CommandCode.Error, seen);
            Assert.DoesNotContain(CommandCode.Challenge, seen);
            Assert.DoesNotContain(CommandCode.Welcome, seen);
            Assert.DoesNotContain(CommandCode.Ok, seen);
            Assert.DoesNotContain(CommandCode.Msg, seen);
        }
        finally
        {
            File.Delete(policy);
        }
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

    /// <summary>
    /// Reads until <paramref name="stopAt"/> arrives, the broker closes, or the window ends; returns the Mq commands seen.
    /// The broker's side: 10 signature bytes, its revision, its socket type, then ZMTP 2.0 frames.
    /// </summary>
    private static async Task<List<CommandCode>> ReadCommandsAsync(NetworkStream stream, CommandCode stopAt, TimeSpan window)
    {
        var received = new List<byte>();
        var seen = new List<CommandCode>();
        using var cts = new CancellationTokenSource(window);
        byte[] buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cts.Token)) > 0)
            {
                received.AddRange(buffer.AsSpan(0, read));
                seen = ParseCommands(received.ToArray());
                if (seen.Contains(stopAt))
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // Window over, or the broker dropped the connection.
        }

        return seen;
    }

    private static List<CommandCode> ParseCommands(byte[] bytes)
    {
        var seen = new List<CommandCode>();
        int position = 12;
        while (position + 2 <= bytes.Length)
        {
            byte flags = bytes[position];
            bool longFrame = (flags & 0x02) != 0;
            int headerLength = longFrame ? 9 : 2;
            if (position + headerLength > bytes.Length)
            {
                break;
            }

            long size = longFrame ? System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(position + 1)) : bytes[position + 1];
            if (size < 0 || position + headerLength + size > bytes.Length)
            {
                break;
            }

            byte[] body = bytes.AsSpan(position + headerLength, (int)size).ToArray();
            position += headerLength + (int)size;
            if (body.Length == 0)
            {
                continue;
            }

            try
            {
                var reader = new CommandReader(body);
                while (!reader.End)
                {
                    seen.Add(reader.ReadCommand());
                    reader.SkipCommand();
                }
            }
            catch (Exception ex) when (ex is ProtocolException or MessagePackSerializationException or EndOfStreamException)
            {
                // Not an Mq frame.
            }
        }

        return seen;
    }
}
