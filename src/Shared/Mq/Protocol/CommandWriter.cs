using MessagePack;

namespace Mq.Protocol;

/// <summary>
/// Writes each command of protocol version 1 as one MessagePack array. Callers own the writer and flush it;
/// several commands written back to back form one batch frame. Field order is the wire format (docs/protocol.md).
/// </summary>
public static partial class CommandWriter
{
    public static void WriteConnected(ref MessagePackWriter w, IReadOnlyList<int> versions, string broker)
    {
        w.WriteArrayHeader(3);
        w.Write((byte)CommandCode.Connected);
        w.WriteArrayHeader(versions.Count);
        foreach (int v in versions)
        {
            w.Write(v);
        }

        w.Write(broker);
    }

    public static void WriteHello(ref MessagePackWriter w, int version, string name, IReadOnlyDictionary<string, object?>? settings)
    {
        w.WriteArrayHeader(4);
        w.Write((byte)CommandCode.Hello);
        w.Write(version);
        w.Write(name);
        WriteSettings(ref w, settings);
    }

    public static void WriteWelcome(ref MessagePackWriter w, int version, string peerId, IReadOnlyDictionary<string, object?> settings)
    {
        w.WriteArrayHeader(4);
        w.Write((byte)CommandCode.Welcome);
        w.Write(version);
        w.Write(peerId);
        WriteSettings(ref w, settings);
    }

    public static void WriteHeartbeat(ref MessagePackWriter w)
    {
        w.WriteArrayHeader(1);
        w.Write((byte)CommandCode.Heartbeat);
    }

    public static void WriteBye(ref MessagePackWriter w, string reason)
    {
        w.WriteArrayHeader(2);
        w.Write((byte)CommandCode.Bye);
        w.Write(reason);
    }

    public static void WritePing(ref MessagePackWriter w, ulong reference)
    {
        w.WriteArrayHeader(2);
        w.Write((byte)CommandCode.Ping);
        w.Write(reference);
    }

    public static void WriteOk(ref MessagePackWriter w, ulong reference)
    {
        w.WriteArrayHeader(2);
        w.Write((byte)CommandCode.Ok);
        w.Write(reference);
    }

    /// <summary>The OK of a flow-controlled SUB: its trailing field is the window in force (the asked window, cut to the broker's maximum).</summary>
    public static void WriteOk(ref MessagePackWriter w, ulong reference, ulong window)
    {
        w.WriteArrayHeader(3);
        w.Write((byte)CommandCode.Ok);
        w.Write(reference);
        w.Write(window);
    }

    /// <summary>
    /// ERROR names the refused <paramref name="command"/> (0 when the refusal is about a frame, not a command) so a
    /// peer can tell what <paramref name="reference"/> is: its own ref, or, for a refused REP, the broker's bid.
    /// </summary>
    public static void WriteError(ref MessagePackWriter w, ulong reference, ErrorCode code, string message, CommandCode command)
    {
        w.WriteArrayHeader(5);
        w.Write((byte)CommandCode.Error);
        w.Write(reference);
        w.Write((ushort)code);
        w.Write(message);
        w.Write((byte)command);
    }

    public static void WritePub(ref MessagePackWriter w, string subject, IReadOnlyDictionary<string, string>? headers, ReadOnlySpan<byte> payload)
    {
        w.WriteArrayHeader(4);
        w.Write((byte)CommandCode.Pub);
        w.Write(subject);
        WriteHeaders(ref w, headers);
        w.Write(payload);
    }

    /// <summary>A <paramref name="window"/> above zero asks for flow control: at most that many unacknowledged deliveries.</summary>
    public static void WriteSub(ref MessagePackWriter w, ulong reference, ulong sid, string pattern, string? group, uint window = 0)
    {
        w.WriteArrayHeader(window == 0 ? 5 : 6);
        w.Write((byte)CommandCode.Sub);
        w.Write(reference);
        w.Write(sid);
        w.Write(pattern);
        WriteStringOrNil(ref w, group);
        if (window != 0)
        {
            w.Write(window);
        }
    }

    public static void WriteChallenge(ref MessagePackWriter w, ReadOnlySpan<byte> nonce)
    {
        w.WriteArrayHeader(2);
        w.Write((byte)CommandCode.Challenge);
        w.Write(nonce);
    }

    /// <summary>A handshake message of the secure channel (48 bytes), sent in plaintext.</summary>
    public static void WriteSecure(ref MessagePackWriter w, ReadOnlySpan<byte> message)
    {
        w.WriteArrayHeader(2);
        w.Write((byte)CommandCode.Secure);
        w.Write(message);
    }

    public static void WriteAuth(ref MessagePackWriter w, string identity, ReadOnlySpan<byte> signature)
    {
        w.WriteArrayHeader(3);
        w.Write((byte)CommandCode.Auth);
        w.Write(identity);
        w.Write(signature);
    }

    /// <summary>A subscription (<paramref name="sid"/> &gt; 0) or a service (<paramref name="service"/>) the broker removed.</summary>
    /// <summary>REVOKED; <paramref name="code"/> says why: <c>PermissionDenied</c> (policy) or <c>LimitExceeded</c> (slow consumer).</summary>
    public static void WriteRevoked(ref MessagePackWriter w, ulong sid, string? service, string reason, ErrorCode code = ErrorCode.PermissionDenied)
    {
        w.WriteArrayHeader(5);
        w.Write((byte)CommandCode.Revoked);
        w.Write(sid);
        WriteStringOrNil(ref w, service);
        w.Write(reason);
        w.Write((ushort)code);
    }

    public static void WriteCredit(ref MessagePackWriter w, ulong granted)
    {
        w.WriteArrayHeader(2);
        w.Write((byte)CommandCode.Credit);
        w.Write(granted);
    }

    public static void WriteAck(ref MessagePackWriter w, ulong sid, uint count)
    {
        w.WriteArrayHeader(3);
        w.Write((byte)CommandCode.Ack);
        w.Write(sid);
        w.Write(count);
    }

    public static void WriteUnsub(ref MessagePackWriter w, ulong reference, ulong sid)
    {
        w.WriteArrayHeader(3);
        w.Write((byte)CommandCode.Unsub);
        w.Write(reference);
        w.Write(sid);
    }

    /// <summary>Broker side: forwards the subject, header block and payload as the publisher sent them.</summary>
    public static void WriteMsg(ref MessagePackWriter w, ulong sid, ulong seq, ReadOnlySpan<byte> subjectUtf8, ReadOnlySpan<byte> rawHeaders, ReadOnlySpan<byte> payload) =>
        WriteMsg(ref w, 6, sid, seq, subjectUtf8, rawHeaders, payload);

    /// <summary>MSG's six fields under a header of <paramref name="fields"/>: a stream consumer's MSG adds two after them.</summary>
    private static void WriteMsg(ref MessagePackWriter w, int fields, ulong sid, ulong seq, ReadOnlySpan<byte> subjectUtf8, ReadOnlySpan<byte> rawHeaders, ReadOnlySpan<byte> payload)
    {
        w.WriteArrayHeader(fields);
        w.Write((byte)CommandCode.Msg);
        w.Write(sid);
        w.Write(seq);
        w.WriteString(subjectUtf8);
        WriteRawHeaders(ref w, rawHeaders);
        w.Write(payload);
    }

    /// <summary>Advisory: <paramref name="count"/> deliveries to <paramref name="sid"/> were dropped; the last one dropped had <paramref name="lastSequence"/>.</summary>
    public static void WriteDropped(ref MessagePackWriter w, ulong sid, ulong count, ulong lastSequence)
    {
        w.WriteArrayHeader(4);
        w.Write((byte)CommandCode.Dropped);
        w.Write(sid);
        w.Write(count);
        w.Write(lastSequence);
    }

    public static void WriteHeaders(ref MessagePackWriter w, IReadOnlyDictionary<string, string>? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            w.WriteNil();
            return;
        }

        w.WriteMapHeader(headers.Count);
        foreach (KeyValuePair<string, string> pair in headers)
        {
            w.Write(pair.Key);
            w.Write(pair.Value);
        }
    }

    private static void WriteRawHeaders(ref MessagePackWriter w, ReadOnlySpan<byte> rawHeaders)
    {
        if (rawHeaders.IsEmpty)
        {
            w.WriteNil();
        }
        else
        {
            w.WriteRaw(rawHeaders);
        }
    }

    private static void WriteServiceCommand(ref MessagePackWriter w, CommandCode code, ulong reference, string service)
    {
        w.WriteArrayHeader(3);
        w.Write((byte)code);
        w.Write(reference);
        w.Write(service);
    }

    private static void WriteStringOrNil(ref MessagePackWriter w, string? value)
    {
        if (value is null)
        {
            w.WriteNil();
        }
        else
        {
            w.Write(value);
        }
    }

    private static void WriteSettings(ref MessagePackWriter w, IReadOnlyDictionary<string, object?>? settings)
    {
        if (settings is null)
        {
            w.WriteNil();
            return;
        }

        w.WriteMapHeader(settings.Count);
        foreach (KeyValuePair<string, object?> pair in settings)
        {
            w.Write(pair.Key);
            switch (pair.Value)
            {
                case null: w.WriteNil(); break;
                case string s: w.Write(s); break;
                case bool b: w.Write(b); break;
                case int i: w.Write(i); break;
                case long l: w.Write(l); break;
                case byte[] bytes: w.Write(bytes); break;
                default: throw new ArgumentException($"setting '{pair.Key}' has unsupported type {pair.Value.GetType().Name}", nameof(settings));
            }
        }
    }
}
