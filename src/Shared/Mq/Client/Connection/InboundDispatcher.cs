using System.Text;
using MessagePack;
using Microsoft.Extensions.Logging;
using Mq.Errors;
using Mq.Protocol;
using Mq.Serialization;

namespace Mq.Client.Connection;

/// <summary>
/// Socket thread: turns the broker's MSG, REQUEST, REPLY, OK and ERROR commands into deliveries to
/// subscriptions, services and waiting callers. Session commands stay with <see cref="PeerConnection"/>.
/// </summary>
internal sealed partial class InboundDispatcher(ClientTables tables, Outbox outbox, PublishLedger ledger, SerializerRegistry serializers, ILogger logger, Action<MqException> asyncError)
{
    private readonly Dictionary<ulong, (byte[] Utf8, string Text)> _subjects = [];

    public void Msg(ref CommandReader reader)
    {
        ulong sid = reader.ReadUInt();
        ulong sequence = reader.ReadUInt();
        ReadOnlyMemory<byte> subject = reader.ReadUtf8(ProtocolLimits.MaxSubjectBytes);
        ReadOnlyMemory<byte> headers = reader.ReadHeadersRaw();
        ReadOnlyMemory<byte> payload = reader.ReadBinary();

        // A stream consumer's MSG goes on with the message's stream sequence and stored time.
        ulong streamSequence = reader.HasMoreFields ? reader.ReadUInt() : 0;
        ulong storedAt = reader.HasMoreFields ? reader.ReadUInt() : 0;
        ulong deliveries = reader.HasMoreFields ? reader.ReadUInt() : 0;
        reader.EndCommand();

        if (!tables.Subscriptions.TryGetValue(sid, out MqSubscription? subscription))
        {
            // In flight when the subscription ended: expected, and not a loss.
            return;
        }

        var message = new MqMessage(SubjectText(sid, subject.Span), HeaderCodec.Decode(headers), payload, sequence, serializers)
        {
            Epoch = subscription.Epoch,
            StreamSequence = streamSequence,
            StoredAt = streamSequence == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Min(storedAt, 253402300799999UL)),
            Deliveries = (int)Math.Min(deliveries, int.MaxValue),
            Consumer = subscription.Durable is null ? null : subscription,
        };
        subscription.Deliver(message);
    }

    /// <summary>STORED: a durable publish is in its stream.</summary>
    public void Stored(ref CommandReader reader)
    {
        ulong reference = reader.ReadUInt();
        string stream = reader.ReadString(ProtocolLimits.MaxNameBytes);
        ulong sequence = reader.ReadUInt();
        bool duplicate = reader.ReadUInt() != 0;
        reader.EndCommand();
        tables.Pending.Stored(reference, new DurableAck(stream, sequence, duplicate));
    }

    public void Dropped(ref CommandReader reader)
    {
        ulong sid = reader.ReadUInt();
        reader.ReadUInt();
        ulong lastSequence = reader.ReadUInt();
        reader.EndCommand();
        if (tables.Subscriptions.TryGetValue(sid, out MqSubscription? subscription))
        {
            subscription.BrokerDropped(lastSequence);
        }
    }

    public void Request(ref CommandReader reader)
    {
        ulong brokerId = reader.ReadUInt();
        string service = reader.ReadString(ProtocolLimits.MaxSubjectBytes);
        ulong timeoutMs = reader.ReadUInt();
        ReadOnlyMemory<byte> headers = reader.ReadHeadersRaw();
        ReadOnlyMemory<byte> payload = reader.ReadBinary();
        ulong window = reader.HasMoreFields ? reader.ReadUInt() : 0;
        reader.EndCommand();

        if (!tables.Services.TryGetValue(service, out MqService? handler))
        {
            RefuseRequest(brokerId, ErrorCode.RemoteError, $"'{service}' is no longer served by this peer");
            return;
        }

        var timeout = TimeSpan.FromMilliseconds(Math.Min(timeoutMs, int.MaxValue));
        var request = new MqRequest(brokerId, service, HeaderCodec.Decode(headers), payload, timeout, (uint)Math.Min(window, uint.MaxValue), serializers);
        tables.Serving[brokerId] = request;
        if (!handler.TryEnqueue(request))
        {
            tables.Serving.TryRemove(brokerId, out _);
            LogOverloaded(service);
            RefuseRequest(brokerId, ErrorCode.Overloaded, $"'{service}' has too many requests queued at this peer");
        }
    }

    public void Reply(ref CommandReader reader)
    {
        ulong id = reader.ReadUInt();
        var status = (ErrorCode)reader.ReadUInt();
        string? error = reader.ReadStringOrNil(ProtocolLimits.MaxHeaderBytes);
        ReadOnlyMemory<byte> headers = reader.ReadHeadersRaw();
        ReadOnlyMemory<byte> payload = reader.ReadBinary();
        reader.EndCommand();

        if (!tables.Pending.TryTakeRequest(id, out PendingRequestCall? call))
        {
            // The caller stopped waiting (timeout or cancellation) before the reply came.
            return;
        }

        if (status == ErrorCode.None)
        {
            call!.Finish(new MqReply(HeaderCodec.Decode(headers), payload, serializers));
        }
        else
        {
            call!.Fail(Failure(status, call!, error, headers, payload));
        }
    }

    /// <summary>REPLYPART: a part of a streamed reply, queued for the caller's enumeration in order.</summary>
    public void ReplyPart(ref CommandReader reader)
    {
        ulong id = reader.ReadUInt();
        ReadOnlyMemory<byte> headers = reader.ReadHeadersRaw();
        ReadOnlyMemory<byte> payload = reader.ReadBinary();
        reader.EndCommand();

        // Unknown: the caller stopped reading (break, cancellation, timeout) and its CANCEL is on the way.
        if (tables.Pending.TryGetRequest(id, out PendingRequestCall? call))
        {
            call!.Deliver(new MqReply(HeaderCodec.Decode(headers), payload, serializers) { IsFinal = false });
        }
    }

    /// <summary>
    /// GATHERED: one server's answer to a scatter-gather. A failed one reaches the caller as a reply whose
    /// <see cref="MqReply.Failure"/> is set, which the enumeration passes on only when asked to.
    /// </summary>
    public void Gathered(ref CommandReader reader)
    {
        ulong id = reader.ReadUInt();
        var status = (ErrorCode)reader.ReadUInt();
        string? error = reader.ReadStringOrNil(ProtocolLimits.MaxHeaderBytes);
        ReadOnlyMemory<byte> headers = reader.ReadHeadersRaw();
        ReadOnlyMemory<byte> payload = reader.ReadBinary();
        string responder = reader.ReadString(ProtocolLimits.MaxSubjectBytes);
        reader.EndCommand();

        if (tables.Pending.TryGetRequest(id, out PendingRequestCall? call))
        {
            var reply = status == ErrorCode.None
                ? new MqReply(HeaderCodec.Decode(headers), payload, serializers) { Responder = responder }
                : new MqReply(null, default, serializers) { Responder = responder, Failure = Failure(status, call!, error, headers, payload) };
            call!.Deliver(reply, extendsDeadline: false);
        }
    }

    /// <summary>ABORT: a request this peer serves is over for its requester, so its handler's token fires.</summary>
    public void Abort(ref CommandReader reader)
    {
        ulong brokerId = reader.ReadUInt();
        reader.SkipCommand();
        AbortServing(brokerId);
    }

    /// <summary>GRANTED: the requester of a streamed request read more parts; its handler may send that many more.</summary>
    public void Granted(ref CommandReader reader)
    {
        ulong brokerId = reader.ReadUInt();
        ulong count = reader.ReadUInt();
        reader.EndCommand();
        if (tables.Serving.TryGetValue(brokerId, out MqRequest? request))
        {
            request.Grant((uint)Math.Min(count, uint.MaxValue));
        }
    }

    /// <summary>The request is over at the broker (ABORT, a refused REP or part, or the session lost): stop its handler.</summary>
    public void AbortServing(ulong brokerId)
    {
        if (tables.Serving.TryRemove(brokerId, out MqRequest? request))
        {
            request.Abort();
        }
    }

    public void Ok(ref CommandReader reader)
    {
        ulong reference = reader.ReadUInt();
        ulong window = reader.HasMoreFields ? reader.ReadUInt() : 0;
        reader.EndCommand();
        if (!ledger.TryAcknowledge(reference))
        {
            tables.Pending.Confirm(reference, window);
        }
    }

    public void Error(ulong reference, ErrorCode code, string message)
    {
        MqException error = MqException.FromCode(code, message);
        if (!tables.Pending.Reject(reference, error))
        {
            if (reference == 0 && code is not (ErrorCode.Unauthenticated or ErrorCode.UnsupportedVersion))
            {
                // A refused PUB or ACK (handshake refusals have ref 0 too, and are the connection's, not a command's).
                tables.Refusals.Add(code, message);
            }

            asyncError(error);
        }
    }

    /// <summary>
    /// REVOKED: the broker removed a subscription or service because this peer's permissions changed, or cut a
    /// flow-controlled subscription off as a slow consumer (after a DROPPED for what it lost). It ends here too
    /// (a subscription's enumeration completes) and the application hears of it as an error with the broker's code.
    /// </summary>
    public void Revoked(ref CommandReader reader)
    {
        ulong sid = reader.ReadUInt();
        string? service = reader.ReadStringOrNil(ProtocolLimits.MaxSubjectBytes);
        string reason = reader.ReadString(ProtocolLimits.MaxHeaderBytes);
        var code = reader.HasMoreFields ? (ErrorCode)reader.ReadUInt() : ErrorCode.PermissionDenied;
        reader.EndCommand();

        if (sid != 0 && tables.Subscriptions.TryRemove(sid, out MqSubscription? subscription))
        {
            subscription.Complete();
        }
        else if (service is not null && tables.Services.TryRemove(service, out MqService? served))
        {
            served.Revoke();
        }

        asyncError(MqException.FromCode(code, reason));
    }

    /// <summary>Sequence numbers restart with a new session; cached subject strings stay valid.</summary>
    public void Forget(ulong sid) => _subjects.Remove(sid);

    /// <summary>The exception a request answered with <paramref name="status"/> ends in.</summary>
    private static MqException Failure(ErrorCode status, PendingRequestCall call, string? error, ReadOnlyMemory<byte> headers, ReadOnlyMemory<byte> payload) => status switch
    {
        ErrorCode.RemoteError => new RemoteErrorException(Describe(status, call.Service, error), HeaderCodec.Decode(headers), payload),
        ErrorCode.Timeout => MqException.FromCode(status, call.TimedOut),
        _ => MqException.FromCode(status, Describe(status, call.Service, error)),
    };

    private static string Describe(ErrorCode status, string service, string? error) => status switch
    {
        ErrorCode.RemoteError => $"'{service}' failed: {error}",
        _ => error ?? $"request to '{service}' failed with {status}",
    };

    /// <summary>Reuses the subject string of the previous message on the same subscription when the bytes match.</summary>
    private string SubjectText(ulong sid, ReadOnlySpan<byte> utf8)
    {
        if (_subjects.TryGetValue(sid, out (byte[] Utf8, string Text) last) && utf8.SequenceEqual(last.Utf8))
        {
            return last.Text;
        }

        string text = Encoding.UTF8.GetString(utf8);
        _subjects[sid] = (utf8.ToArray(), text);
        return text;
    }

    private void RefuseRequest(ulong brokerId, ErrorCode code, string message) =>
        outbox.WriteNow(
            static (ref MessagePackWriter w, in (ulong Id, ErrorCode Code, string Message) s) =>
                CommandWriter.WriteRep(ref w, s.Id, s.Code, s.Message, null, default),
            (brokerId, code, message));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Service {Service} is overloaded: a request was refused")]
    private partial void LogOverloaded(string service);
}
