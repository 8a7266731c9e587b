using Mq.Protocol;
using Mq.Security;
using NetMQ;
using NetMQ.Sockets;

namespace Mq.Broker.Hosting;

/// <summary>
/// The container health check: connects to a broker and waits for the CONNECTED greeting it sends every new
/// connection. Proves the broker's socket thread is serving, not merely that a port is open.
/// </summary>
public static class HealthProbe
{
    /// <summary>Returns null if a broker answered in time, else why not.</summary>
    public static string? Check(string endpoint, TimeSpan timeout, string? brokerKey = null)
    {
        try
        {
            using var socket = new DealerSocket();
            if (!string.IsNullOrEmpty(brokerKey))
            {
                socket.Options.CurveServerKey = CurveKeys.PublicKeyBytes(CurveKeys.PublicKeyArgument(brokerKey, "--broker-key"), "--broker-key");
                socket.Options.CurveCertificate = new NetMQCertificate();
            }

            socket.Options.Linger = TimeSpan.Zero;
            socket.Options.MaxMsgSize = 64 * 1024;
            socket.Connect(endpoint);
            if (!socket.TryReceiveFrameBytes(timeout, out byte[]? frame))
            {
                return $"no answer from {endpoint} within {timeout.TotalSeconds:0.#} s";
            }

            var reader = new CommandReader(frame);
            return reader.ReadCommand() == CommandCode.Connected ? null : $"{endpoint} answered, but not as an Mq broker";
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
}
