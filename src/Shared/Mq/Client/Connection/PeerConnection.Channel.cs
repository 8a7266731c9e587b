using Microsoft.Extensions.Logging;
using Mq.Errors;
using Mq.Protocol;
using Mq.Security;
using ErrorCode = Mq.Protocol.ErrorCode;

namespace Mq.Client.Connection;

/// <summary>
/// The secure channel on the socket thread (a broker key pinned): before the channel is up only CONNECTED and the
/// broker's SECURE answer are accepted; after it every frame must decrypt. Anything else means the other end is not
/// the broker that holds the key (or the connection broke): the connection is dropped and tried again with backoff.
/// </summary>
internal sealed partial class PeerConnection
{
    private int _version = ProtocolVersion.Current;

    private void Receive(byte[] frame)
    {
        if (_channel is null)
        {
            Process(frame);
            return;
        }

        if (_reconnectAt >= 0)
        {
            // Dropped: what the refused connection still delivers is not read.
            return;
        }

        if (_channel.Channel is not { } channel)
        {
            BeforeChannel(frame);
            return;
        }

        // Decryption clears a frame it rejects; keep a plaintext CONNECTED (a new connection) readable.
        byte[]? connected = IsLoneConnected(frame) ? (byte[])frame.Clone() : null;
        int length = frame.Length - ProtocolLimits.ChannelOverhead;
        if (length > 0 && channel.Receive.TryOpen(frame, frame))
        {
            Process(frame.AsMemory(0, length));
        }
        else if (connected is not null)
        {
            Process(connected);
        }
        else
        {
            Refuse("a frame from the broker did not decrypt: it was altered, replayed, or not sent by the broker");
        }
    }

    private void BeforeChannel(byte[] frame)
    {
        if (IsLoneConnected(frame))
        {
            Process(frame);
            return;
        }

        try
        {
            var reader = new CommandReader(frame);
            CommandCode code = reader.ReadCommand();
            if (code == CommandCode.Secure && _channel!.Handshaking)
            {
                ReadOnlyMemory<byte> message = reader.ReadBinary();
                reader.EndCommand();
                if (reader.End && _channel.Finish(message.Span))
                {
                    _channelErrorRaised = false;
                    LogChannelUp();
                    SendHello();
                    return;
                }

                Refuse("the broker did not prove it holds the pinned key: its SECURE answer does not match the broker's public key");
                return;
            }

            if (code == CommandCode.Error)
            {
                reader.ReadUInt();
                var error = (ErrorCode)reader.ReadUInt();
                string message = reader.ReadString(ProtocolLimits.MaxHeaderBytes);
                if (error == ErrorCode.EncryptionRequired)
                {
                    // The broker's answer to frames of an earlier connection that NetMQ delivered on this one ahead of SECURE.
                    return;
                }

                Refuse($"the broker did not prove it holds the pinned key: it answered {error} in plaintext ({message})");
                return;
            }

            Refuse($"the broker did not prove it holds the pinned key: it sent {code} in plaintext instead of the secure channel's answer");
        }
        catch (ProtocolException)
        {
            Refuse("the broker did not prove it holds the pinned key: it sent an unreadable plaintext frame");
        }
    }

    /// <summary>A new connection: the first handshake message goes out in plaintext; nothing else does until the broker's answer.</summary>
    private void StartChannel(ReadOnlySpan<byte> connectedFrame)
    {
        byte[] message = _channel!.Start(connectedFrame);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(NoiseHandshake.MessageBytes + 4);
        var w = new MessagePack.MessagePackWriter(buffer);
        CommandWriter.WriteSecure(ref w, message);
        w.Flush();
        if (!_sender.SendHandshake(buffer.WrittenSpan.ToArray()))
        {
            Refuse("the socket refused the secure channel's first message");
        }
    }

    /// <summary>Drops the connection and connects again after a backoff; the application hears of it once per run of refusals.</summary>
    private void Refuse(string reason)
    {
        TimeSpan delay = _channel!.Fail(reason);
        LoseSession(reason);
        LogChannelRefused(reason, delay.TotalMilliseconds);
        DropConnection(delay);
        if (!_channelErrorRaised)
        {
            _channelErrorRaised = true;
            _asyncError(new NotConnectedException($"refused the connection to {Endpoint}: {reason}"));
        }
    }

    /// <summary>Closes the connection and opens a new one after <paramref name="delay"/> (the timer does it).</summary>
    private void DropConnection(TimeSpan delay)
    {
        _transport.Disconnect();
        _reconnectAt = Environment.TickCount64 + (long)delay.TotalMilliseconds;
    }

    /// <summary>Exactly one CONNECTED command: how the broker opens every connection, before any channel.</summary>
    private static bool IsLoneConnected(byte[] frame)
    {
        if (frame.Length < 3 || frame[0] != 0x93 || frame[1] != (byte)CommandCode.Connected)
        {
            return false;
        }

        try
        {
            var reader = new CommandReader(frame);
            reader.ReadCommand();
            reader.ReadIntArray(64);
            reader.ReadString(ProtocolLimits.MaxNameBytes);
            reader.EndCommand();
            return reader.End;
        }
        catch (ProtocolException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Secure channel up with the broker holding the pinned key")]
    private partial void LogChannelUp();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped the broker connection, trying again in {DelayMs} ms: {Reason}")]
    private partial void LogChannelRefused(string reason, double delayMs);
}
