using Mq.Serialization;

namespace Mq.Client;

/// <summary>
/// A request handed to a service handler. The handler's return value is the reply; before it returns, a handler
/// whose requester asked for a stream may send any number of parts with <see cref="SendPartAsync"/>.
/// </summary>
public sealed class MqRequest
{
    private readonly SerializerRegistry _serializers;
    private readonly SemaphoreSlim? _credit;
    private Dictionary<string, string>? _replyHeaders;
    private MqClient? _owner;
    private CancellationTokenSource? _cancellation;
    private int _aborted;

    internal MqRequest(ulong brokerId, string service, IReadOnlyDictionary<string, string>? headers, ReadOnlyMemory<byte> data, TimeSpan timeout, uint window, SerializerRegistry serializers)
    {
        BrokerId = brokerId;
        Service = service;
        Headers = headers;
        Data = data;
        Timeout = timeout;
        Deadline = DateTimeOffset.UtcNow + timeout;
        _credit = window > 0 ? new SemaphoreSlim((int)Math.Min(window, int.MaxValue)) : null;
        _serializers = serializers;
    }

    public string Service { get; }

    public IReadOnlyDictionary<string, string>? Headers { get; }

    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>
    /// When the requester stops waiting; the handler's cancellation token fires then. For a streamed request this
    /// is the first deadline only: every part sent and every credit granted starts the request's time budget again.
    /// </summary>
    public DateTimeOffset Deadline { get; }

    /// <summary>True when the requester asked for a streamed reply (<see cref="MqClient.RequestStreamAsync"/>), so the handler may send parts.</summary>
    public bool IsStreamed => _credit is not null;

    /// <summary>Headers to send back with the reply (created on first use).</summary>
    public IDictionary<string, string> ReplyHeaders => _replyHeaders ??= new Dictionary<string, string>(StringComparer.Ordinal);

    internal ulong BrokerId { get; }

    internal TimeSpan Timeout { get; }

    internal IReadOnlyDictionary<string, string>? ReplyHeadersOrNull => _replyHeaders;

    /// <summary>The request's media type from its <c>content-type</c> header; null means MessagePack (or raw bytes).</summary>
    public string? ContentType => Headers?.GetValueOrDefault(MqContentTypes.Header);

    /// <summary>Deserializes <see cref="Data"/> with the serializer its content type names.</summary>
    public T Deserialize<T>() => _serializers.Deserialize<T>(Headers, Data);

    /// <summary>The payload as JSON, whatever its content type.</summary>
    public string ToJson() => _serializers.ToJson(Headers, Data);

    /// <summary>
    /// The reply payload for <paramref name="value"/>, answering in kind: in the request's format when this client
    /// reads it (so a JSON requester gets JSON), else in the client's own; the reply headers name it.
    /// </summary>
    internal ReadOnlyMemory<byte> SerializeReply<T>(T value)
    {
        (ReadOnlyMemory<byte> payload, IReadOnlyDictionary<string, string>? headers) = _serializers.Serialize(value, _serializers.For(Headers), null);
        if (headers?.GetValueOrDefault(MqContentTypes.Header) is { } contentType)
        {
            ReplyHeaders[MqContentTypes.Header] = contentType;
        }

        return payload;
    }

    /// <summary>The serializer a remote-object call's arguments are read with, and its results written with (answering in kind).</summary>
    /// <exception cref="Errors.UnreadablePayloadException">The request's content type cannot carry a call's arguments here.</exception>
    internal IArgumentListSerializer ArgumentFormat(Rpc.MqMethod method) => _serializers.ArgumentsFor(Headers, method.Service);

    internal SerializerRegistry Serializers => _serializers;

    /// <summary>A part of a streamed reply (an item, a progress report) in the request's content type, with the header naming it.</summary>
    internal (ReadOnlyMemory<byte> Payload, IReadOnlyDictionary<string, string>? Headers) SerializePart<T>(T value) =>
        _serializers.Serialize(value, _serializers.For(Headers), null);

    /// <summary>The broker said the request is over (cancelled, expired, requester gone): no reply is sent for it.</summary>
    internal bool IsAborted => Volatile.Read(ref _aborted) != 0;

    /// <summary>
    /// Sends one part of a streamed reply, in order, ahead of the handler's final reply. Waits while the requester
    /// has as many parts unread as its window (flow control), so a slow reader pauses this handler. Throws
    /// <see cref="OperationCanceledException"/> when the request is over (the requester cancelled or left, or the
    /// deadline passed) and <see cref="InvalidOperationException"/> when the requester asked for one reply only.
    /// </summary>
    public async ValueTask SendPartAsync(ReadOnlyMemory<byte> payload, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        if (_credit is null)
        {
            throw new InvalidOperationException($"the requester of '{Service}' asked for one reply, not a stream (it did not call RequestStreamAsync)");
        }

        MqClient owner = _owner ?? throw new InvalidOperationException("parts can be sent only while the request's handler runs");
        CancellationToken over = Volatile.Read(ref _cancellation)!.Token;
        if (cancellationToken.CanBeCanceled)
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, over);
            await _credit.WaitAsync(either.Token).ConfigureAwait(false);
        }
        else
        {
            await _credit.WaitAsync(over).ConfigureAwait(false);
        }

        await owner.SendPartAsync(this, headers, payload, over).ConfigureAwait(false);
        Touch();
    }

    /// <summary>Handler thread, before the handler runs: its token is <paramref name="cancellation"/>'s.</summary>
    internal void Attach(MqClient owner, CancellationTokenSource cancellation)
    {
        _owner = owner;
        Interlocked.Exchange(ref _cancellation, cancellation);
        if (IsAborted)
        {
            cancellation.Cancel();
        }
    }

    /// <summary>Socket thread: GRANTED, the requester read <paramref name="count"/> more parts.</summary>
    internal void Grant(uint count)
    {
        _credit?.Release((int)Math.Min(count, int.MaxValue));
        Touch();
    }

    /// <summary>Socket thread: ABORT, or an ERROR ending the request at the broker: the handler's token fires.</summary>
    internal void Abort()
    {
        Interlocked.Exchange(ref _aborted, 1);
        try
        {
            // Asynchronously: the handler's cancellation callbacks must not run on the socket thread.
            _ = Interlocked.CompareExchange(ref _cancellation, null, null)?.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The handler finished meanwhile.
        }
    }

    /// <summary>A stream moved: like the broker, the handler's deadline starts again.</summary>
    private void Touch()
    {
        try
        {
            Volatile.Read(ref _cancellation)?.CancelAfter(Timeout);
        }
        catch (ObjectDisposedException)
        {
            // The handler finished meanwhile.
        }
    }
}
