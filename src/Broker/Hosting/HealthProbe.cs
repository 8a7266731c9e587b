using Mq.Protocol;
using Mq.Security;
using NetMQ;
using NetMQ.Sockets;

namespace Mq.Broker.Hosting;

/// <summary>
/// The container health check: connects to a broker and waits for the CONNECTED greeting it sends every new
/// connection. Proves the broker's socket thread is serving, not merely that a port is open. With a broker key it
/// also runs the secure channel's handshake, so it proves the broker holds that key.
/// </summary>
public static class HealthProbe
{
    /// <summary>Returns null if a broker answered in time, else why not.</summary>
    public static string? Check(string endpoint, TimeSpan timeout, string? brokerKey = null)
    {
        try
        {
            byte[]? key = string.IsNullOrEmpty(brokerKey) ? null
                : CurveKeys.PublicKeyBytes(CurveKeys.PublicKeyArgument(brokerKey, "--broker-key"), "--broker-key");
            using var socket = new DealerSocket();
            socket.Options.Linger = TimeSpan.Zero;
            socket.Options.MaxMsgSize = 64 * 1024;
            socket.Connect(endpoint);
            if (!socket.TryReceiveFrameBytes(timeout, out byte[]? frame))
            {
                return $"no answer from {endpoint} within {timeout.TotalSeconds:0.#} s";
            }

            var reader = new CommandReader(frame);
            if (reader.ReadCommand() != CommandCode.Connected)
            {
                return $"{endpoint} answered, but not as an Mq broker";
            }

            return key is null ? null : ProveKey(socket, key, frame, endpoint, timeout);
        }
        catch (KeyFileException ex)
        {
            return ex.Message;
        }
        catch (Exception ex) when (ex is NetMQException or ProtocolException or ArgumentException)
        {
            return $"{endpoint}: {ex.Message}";
        }
        finally
        {
            NetMQConfig.Cleanup(block: false);
        }
    }

    private static string? ProveKey(DealerSocket socket, byte[] key, byte[] connected, string endpoint, TimeSpan timeout)
    {
        using NoiseHandshake handshake = NoiseHandshake.Initiator(key, connected);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        var w = new MessagePack.MessagePackWriter(buffer);
        CommandWriter.WriteSecure(ref w, handshake.WriteMessage1());
        w.Flush();
        socket.SendFrame(buffer.WrittenSpan.ToArray());
        if (!socket.TryReceiveFrameBytes(timeout, out byte[]? answer))
        {
            return $"{endpoint} did not answer the secure channel's handshake within {timeout.TotalSeconds:0.#} s";
        }

        var reader = new CommandReader(answer);
        SecureChannel? channel = reader.ReadCommand() == CommandCode.Secure ? handshake.ReadMessage2(reader.ReadBinary().Span) : null;
        channel?.Dispose();
        return channel is not null ? null : $"{endpoint} answered, but does not hold the broker key given with --broker-key";
    }
}
