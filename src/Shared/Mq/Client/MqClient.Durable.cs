using MessagePack;
using Mq.Client.Connection;
using Mq.Errors;
using Mq.Protocol;
using Mq.Serialization;
using Mq.Subjects;

namespace Mq.Client;

/// <summary>Durable streams: publishing with a stored acknowledgement, and consuming a stream from a start.</summary>
public sealed partial class MqClient
{
    /// <summary>The header a durable publish's message id travels in; a stream stores one id once within its duplicate window.</summary>
    public const string MessageIdHeader = "mq-msg-id";

    /// <summary>
    /// Publishes like <see cref="PublishAsync(string, ReadOnlyMemory{byte}, IReadOnlyDictionary{string, string}?, CancellationToken)"/>
    /// and waits until the stream capturing <paramref name="subject"/> has stored it per its fsync policy. With a
    /// <paramref name="messageId"/>, a repeat (a retry after a lost connection, say) is answered with the first one's
    /// sequence and <see cref="DurableAck.Duplicate"/>, and not stored again.
    /// </summary>
    /// <exception cref="MqException">Code <see cref="ErrorCode.NoStream"/> (no stream captures the subject), <see cref="ErrorCode.StreamFull"/>
    /// or <see cref="ErrorCode.StoreFailed"/> (nothing was stored); <see cref="PermissionDeniedException"/>; <see cref="MqTimeoutException"/>
    /// after <see cref="MqClientOptions.RequestTimeout"/>; <see cref="NotConnectedException"/> when the connection was lost first
    /// (the message may or may not be stored: publish it again with the same id).</exception>
    public async ValueTask<DurableAck> PublishDurableAsync(string subject, ReadOnlyMemory<byte> payload, string? messageId = null,
        IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        EnsureUsable();
        Subject.Ensure(subject, SubjectKind.Publish);
        EnsurePayloadSize(payload.Length);
        EnsureConnected();
        if (messageId is not null)
        {
            headers = new Dictionary<string, string>(headers ?? new Dictionary<string, string>(), StringComparer.Ordinal) { [MessageIdHeader] = messageId };
        }

        (ulong reference, Task<DurableAck> stored) = _tables.Pending.AddStored();
        try
        {
            // Behind the plain publishes, under the same publisher credit: the broker counts a DPUB as a PUB.
            await WriteAsync(
                _publishes,
                static (ref MessagePackWriter w, in (ulong Reference, string Subject, IReadOnlyDictionary<string, string>? Headers, ReadOnlyMemory<byte> Payload) s) =>
                    CommandWriter.WriteDurablePub(ref w, s.Reference, s.Subject, s.Headers, s.Payload.Span),
                (reference, subject, headers, payload),
                cancellationToken).ConfigureAwait(false);
            return await stored.WaitAsync(_options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new MqTimeoutException($"the broker did not acknowledge the durable publish to '{subject}' within {_options.RequestTimeout.TotalMilliseconds:0} ms");
        }
        finally
        {
            _tables.Pending.ForgetStored(reference);
        }
    }

    /// <summary>Publishes <paramref name="data"/> serialized with the client's serializer, durably (see the raw overload).</summary>
    public ValueTask<DurableAck> PublishDurableAsync<T>(string subject, T data, string? messageId = null, IReadOnlyDictionary<string, string>? headers = null,
        CancellationToken cancellationToken = default)
    {
        (ReadOnlyMemory<byte> payload, IReadOnlyDictionary<string, string>? withType) = _serializers.Serialize(data, _serializers.Sending, headers);
        return PublishDurableAsync(subject, payload, messageId, withType, cancellationToken);
    }

    /// <summary>
    /// Reads the stream <paramref name="stream"/> from <paramref name="start"/>: its stored messages in order, then new
    /// ones as they are stored, with no gap or repeat between the two (each message carries
    /// <see cref="MqMessage.StreamSequence"/>). Flow-controlled: the broker sends what this subscription has room for
    /// and reads on as it is consumed. After a reconnect it goes on after the last message received. Needs subscribe
    /// permission on the stream's subjects.
    /// </summary>
    /// <exception cref="MqException">Code <see cref="ErrorCode.NoStream"/> when there is no such stream.</exception>
    public ValueTask<MqSubscription> ConsumeAsync(string stream, StreamStart start, CancellationToken cancellationToken = default) =>
        ConsumeAsync(stream, start, (ConsumeOptions?)null, cancellationToken);

    /// <summary>
    /// As <see cref="ConsumeAsync(string, StreamStart, CancellationToken)"/>; with <paramref name="durable"/>, the durable
    /// consumer of that name: it goes on from its acknowledged floor (<paramref name="start"/> counts only the first time),
    /// and each message is acknowledged with <see cref="MqMessage.AckAsync"/> (see <see cref="ConsumeOptions"/>).
    /// </summary>
    public async ValueTask<MqSubscription> ConsumeAsync(string stream, StreamStart start, ConsumeOptions? durable, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        EnsureUsable();
        EnsureConnected();
        var subscription = MqSubscription.ForStream(this, (ulong)Interlocked.Increment(ref _lastSid), stream, start, durable, _options.SubscriptionCapacity);
        return await OpenAsync(subscription, $"consume stream '{stream}'", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a stream and runs <paramref name="handler"/> for each message, one at a time, in order.</summary>
    public ValueTask<MqSubscription> ConsumeAsync(string stream, StreamStart start, Func<MqMessage, CancellationToken, ValueTask> handler, CancellationToken cancellationToken = default) =>
        ConsumeAsync(stream, start, null, handler, cancellationToken);

    /// <summary>Reads a stream (as <paramref name="durable"/>, if given) and runs <paramref name="handler"/> for each message, one at a time, in order.</summary>
    public async ValueTask<MqSubscription> ConsumeAsync(string stream, StreamStart start, ConsumeOptions? durable, Func<MqMessage, CancellationToken, ValueTask> handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        MqSubscription subscription = await ConsumeAsync(stream, start, durable, cancellationToken).ConfigureAwait(false);
        subscription.HandlerLoop = Task.Run(() => RunHandlerAsync(subscription, handler), CancellationToken.None);
        return subscription;
    }
}
