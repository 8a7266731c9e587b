using MessagePack;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mq.Client.Connection;
using Mq.Diagnostics;
using Mq.Errors;
using Mq.Protocol;
using Mq.Serialization;

namespace Mq.Client;

/// <summary>
/// One peer's connection to an Mq broker: publish, subscribe, request and serve over a single socket.
/// Thread-safe and long-lived: create one per process (or per identity) and share it.
/// </summary>
public sealed partial class MqClient : IAsyncDisposable
{
    private readonly MqClientOptions _options;
    private readonly SerializerRegistry _serializers;
    private readonly ILogger<MqClient> _logger;
    private readonly ClientTables _tables = new();
    private readonly Outbox _outbox;

    // PUBs (and the PINGs that flush them) queue apart from other commands: they wait for the broker's credit,
    // and replies, requests and ACKs must not wait behind them.
    private readonly Outbox _publishes;
    private readonly PeerConnection _connection;
    private readonly CancellationTokenSource _disposing = new();
    private long _lastSid;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    private int _started;

    // Socket thread: a session after the first is a reconnect.
    private bool _hadSession;

    /// <summary>Creates a client that is not connected yet: call <see cref="ConnectAsync(CancellationToken)"/> (dependency injection does).</summary>
    public MqClient(MqClientOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<MqClient>();
        _outbox = new Outbox(options.OutboxCapacityBytes, options.OutboxFullMode);
        _publishes = new Outbox(options.OutboxCapacityBytes, options.OutboxFullMode);
        _serializers = new SerializerRegistry(options.Serializer, options.Serializers, options.SerializerOptions);
        _connection = new PeerConnection(options, _serializers, _tables, _outbox, _publishes, _logger, OnStateChanged, OnAsyncError);
        MqMetrics.Track(this);
    }

    public MqClientOptions Options => _options;

    /// <summary>The broker endpoint this client connects to: the options' own, or for <c>auto</c> the one discovery found once connected.</summary>
    public string Endpoint => _connection.Endpoint;

    /// <summary>The identity the broker assigned to the current session.</summary>
    public string? PeerId => _connection.Session?.PeerId;

    public ConnectionState State => _connection.State;

    /// <summary>Bytes of commands waiting to be sent.</summary>
    internal SerializerRegistry Serializers => _serializers;

    internal long OutboxBytes => (long)_outbox.Pending + _publishes.Pending;

    /// <summary>Connection lost, reconnecting, reconnected (raised on the thread pool).</summary>
    public event EventHandler<ConnectionStateChangedEventArgs>? ConnectionStateChanged;

    /// <summary>Errors the broker reported for commands nobody awaits, such as a refused publish (raised on the thread pool).</summary>
    public event EventHandler<MqErrorEventArgs>? Error;

    /// <summary>Any subscription of this client lost messages (also raised on the subscription itself).</summary>
    public event EventHandler<MessagesDroppedEventArgs>? MessagesDropped;

    /// <summary>
    /// Completes once the broker has processed every command this client sent before the call: after it, every
    /// earlier publish has been routed to the subscribers the broker knew of. If the broker refused any publish
    /// (or ACK) since the previous flush, the flush throws the first refusal, as the exception of its code
    /// (<see cref="PermissionDeniedException"/> for a subject the identity may not publish to, say), saying how
    /// many more there were; each refusal is also raised as <see cref="Error"/>.
    /// </summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        EnsureUsable();
        EnsureConnected();
        await PingAsync("flush", cancellationToken).ConfigureAwait(false);
        if (_tables.Refusals.Take() is { } refused)
        {
            throw refused;
        }
    }

    /// <summary>
    /// Drains (every queued command reaches the broker, confirmed by a flush, within
    /// <see cref="MqClientOptions.DrainTimeout"/>), says goodbye and closes.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await DrainAsync().ConfigureAwait(false);
        if (Volatile.Read(ref _started) != 0)
        {
            await _connection.CloseAsync().ConfigureAwait(false);
        }

        _outbox.Close();
        _publishes.Close();
        _tables.Pending.FailAll(message => new NotConnectedException($"{message} (the client was disposed)"));
        foreach (MqService service in _tables.Services.Values)
        {
            service.Abort();
        }

        var loops = new List<Task>();
        foreach (MqSubscription subscription in _tables.Subscriptions.Values)
        {
            subscription.Complete();
            if (subscription.HandlerLoop is not null)
            {
                loops.Add(subscription.HandlerLoop);
            }
        }

        // Handlers finish what was already buffered, within the drain timeout.
        await Task.WhenAll(loops).WaitAsync(_options.DrainTimeout).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        await _disposing.CancelAsync().ConfigureAwait(false);
        _connection.Dispose();
        _disposing.Dispose();
        MqMetrics.Untrack(this);
    }

    private async Task DrainAsync()
    {
        if (State != ConnectionState.Connected)
        {
            if (_outbox.Pending + _publishes.Pending > 0)
            {
                LogUndrained(_outbox.Pending + _publishes.Pending, State);
            }

            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(_options.DrainTimeout);
            await PingAsync("drain", timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MqException or OperationCanceledException)
        {
            LogUndrained(_outbox.Pending + _publishes.Pending, State);
        }
    }

    /// <summary>
    /// Undoes a subscribe or serve at the broker. Never throws: a broker that is gone has forgotten it already,
    /// and a dispose must not fail because of the connection.
    /// </summary>
    internal async ValueTask ReleaseAsync<TArg>(CommandWrite<(ulong Reference, TArg Arg)> write, TArg arg, string what)
    {
        if (Volatile.Read(ref _disposed) != 0 || State != ConnectionState.Connected)
        {
            return;
        }

        try
        {
            await ConfirmAsync(write, arg, what, CancellationToken.None).ConfigureAwait(false);
        }
        catch (MqException ex)
        {
            LogReleaseFailed(what, ex.Message);
        }
    }

    internal void OnHandlerFailed(Exception exception, string what) => LogHandlerFailed(exception, what);

    /// <summary>A payload a typed handler could not read: one line without a stack trace (the caller throttles).</summary>
    internal void OnUnreadable(string what, string reason, long count) => LogUnreadable(what, reason, count);

    /// <summary>An ACK for a flow-controlled subscription: tiny, so it skips the capacity check rather than wait.</summary>
    internal void Acknowledge(ulong sid, uint count)
    {
        if (Volatile.Read(ref _disposed) == 0 && State == ConnectionState.Connected
            && _outbox.WriteNow(static (ref MessagePackWriter w, in (ulong Sid, uint Count) s) => CommandWriter.WriteAck(ref w, s.Sid, s.Count), (sid, count)))
        {
            _connection.SendOrWake();
        }
    }

    /// <summary>MACK for a durable consumer's message: tiny, so, like an ACK, it skips the capacity check.</summary>
    internal void AcknowledgeStream(ulong sid, ulong streamSequence)
    {
        if (Volatile.Read(ref _disposed) == 0 && State == ConnectionState.Connected
            && _outbox.WriteNow(static (ref MessagePackWriter w, in (ulong Sid, ulong Sequence) s) => CommandWriter.WriteStreamAck(ref w, s.Sid, s.Sequence), (sid, streamSequence)))
        {
            _connection.SendOrWake();
        }
    }

    private ValueTask WriteAsync<TState>(CommandWrite<TState> write, TState state, CancellationToken cancellationToken) =>
        WriteAsync(_outbox, write, state, cancellationToken);

    private async ValueTask WriteAsync<TState>(Outbox outbox, CommandWrite<TState> write, TState state, CancellationToken cancellationToken)
    {
        if (!await outbox.WriteAsync(write, state, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        // Publishes come in bursts: the socket thread's pass puts a burst in one frame, where sending each from its
        // writer would cost a system call apiece.
        if (outbox == _publishes)
        {
            _connection.Wake();
        }
        else
        {
            _connection.SendOrWake();
        }
    }

    /// <summary>A PING behind every publish queued so far: its OK means the broker has processed all of them.</summary>
    private ValueTask PingAsync(string what, CancellationToken cancellationToken) =>
        ConfirmAsync(_publishes, static (ref MessagePackWriter w, in (ulong Reference, int _) s) => CommandWriter.WritePing(ref w, s.Reference), 0, what, cancellationToken);

    /// <summary>Sends a command that the broker answers with OK or ERROR under a fresh reference, and waits for it.</summary>
    private ValueTask ConfirmAsync<TArg>(CommandWrite<(ulong Reference, TArg Arg)> write, TArg arg, string what, CancellationToken cancellationToken, Action<ulong>? onConfirmed = null) =>
        ConfirmAsync(_outbox, write, arg, what, cancellationToken, onConfirmed);

    private async ValueTask ConfirmAsync<TArg>(Outbox outbox, CommandWrite<(ulong Reference, TArg Arg)> write, TArg arg, string what, CancellationToken cancellationToken, Action<ulong>? onConfirmed = null)
    {
        (ulong reference, Task confirmed) = _tables.Pending.AddConfirmation(onConfirmed);
        try
        {
            await WriteAsync(outbox, write, (reference, arg), cancellationToken).ConfigureAwait(false);
            await confirmed.WaitAsync(_options.RequestTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new MqTimeoutException($"the broker did not confirm '{what}' within {_options.RequestTimeout.TotalMilliseconds:0} ms");
        }
        finally
        {
            _tables.Pending.Forget(reference);
        }
    }

    private void EnsureUsable()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new NotConnectedException("the client is disposed");
        }
    }

    private void EnsureConnected()
    {
        if (State != ConnectionState.Connected)
        {
            throw new NotConnectedException($"not connected to the broker at {_connection.Endpoint} (state: {State})");
        }
    }

    private void EnsurePayloadSize(int length)
    {
        int limit = _connection.Session?.MaxPayloadBytes ?? _options.MaxPayloadBytes;
        if (length > limit)
        {
            throw new MqException(ErrorCode.TooLarge, $"payload of {length} bytes exceeds the limit of {limit}");
        }
    }

    private void OnStateChanged(ConnectionState state, string reason)
    {
        if (state == ConnectionState.Connected)
        {
            Volatile.Read(ref _connected).TrySetResult();
            if (_hadSession)
            {
                MqMetrics.Reconnected();
            }

            _hadSession = true;
        }
        else if (Volatile.Read(ref _connected).Task.IsCompleted)
        {
            Volatile.Write(ref _connected, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        }

        Raise(ConnectionStateChanged, this, new ConnectionStateChangedEventArgs(state, reason));
    }

    /// <summary>Completes when the client is (or is again) connected.</summary>
    private Task WhenConnected() => State == ConnectionState.Connected ? Task.CompletedTask : Volatile.Read(ref _connected).Task;

    private void OnAsyncError(MqException error)
    {
        LogAsyncError(error.Code, error.Message);
        Raise(Error, this, new MqErrorEventArgs(error));
    }

    /// <summary>Raises an event on the thread pool, so handlers never run on (or block) the socket thread.</summary>
    private void Raise<TArgs>(EventHandler<TArgs>? handler, object sender, TArgs args)
    {
        if (handler is null)
        {
            return;
        }

        ThreadPool.QueueUserWorkItem(_ =>
        {
            try
            {
                handler(sender, args);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                OnHandlerFailed(ex, "an event handler");
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost {Count} messages on '{Pattern}': {Why} ({Total} in all)")]
    private partial void LogDropped(long count, string pattern, string why, long total);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing before the broker confirmed everything was sent ({Bytes} bytes still queued, connection {State})")]
    private partial void LogUndrained(int bytes, ConnectionState state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Request to '{Service}' lost its connection; sending it again after the reconnect")]
    private partial void LogRetrying(string service);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not {What} at the broker: {Reason}")]
    private partial void LogReleaseFailed(string what, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{What}: {Reason} ({Count} so far; logged at most every 10 s)")]
    private partial void LogUnreadable(string what, string reason, long count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Handler for {What} failed")]
    private partial void LogHandlerFailed(Exception exception, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The broker refused a command: {Code}: {Reason}")]
    private partial void LogAsyncError(ErrorCode code, string reason);
}
