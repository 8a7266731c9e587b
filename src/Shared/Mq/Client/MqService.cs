using System.Diagnostics;
using System.Threading.Channels;
using Mq.Client.Connection;
using Mq.Diagnostics;
using Mq.Errors;
using Mq.Protocol;

namespace Mq.Client;

/// <summary>
/// A service this peer serves. Requests queue in a bounded buffer and run on up to
/// <see cref="ServeOptions.MaxConcurrency"/> handlers at once; dispose to stop serving.
/// </summary>
public sealed class MqService : IAsyncDisposable
{
    /// <summary>A stack trace is cut to this many characters: at most 3 bytes each in UTF-8, well inside a 16 KiB header block.</summary>
    private const int MaxStackChars = 4096;

    private readonly MqClient _owner;
    private readonly Func<MqRequest, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> _handler;
    private readonly Channel<MqRequest> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _workers;
    private readonly LogThrottle _unreadableLog = new();
    private readonly bool _includeExceptionDetails;
    private long _handled;
    private long _failed;
    private long _cancelled;
    private long _unreadable;
    private int _disposed;

    internal MqService(MqClient owner, string name, Func<MqRequest, CancellationToken, ValueTask<ReadOnlyMemory<byte>>> handler, ServeOptions options)
    {
        _owner = owner;
        Name = name;
        _handler = handler;
        _includeExceptionDetails = options.IncludeExceptionDetails;
        _queue = Channel.CreateBounded<MqRequest>(new BoundedChannelOptions(options.QueueCapacity) { SingleWriter = true });
        _workers = new Task[options.MaxConcurrency];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = Task.Run(WorkAsync);
        }
    }

    public string Name { get; }

    /// <summary>Requests answered successfully.</summary>
    public long Handled => Interlocked.Read(ref _handled);

    /// <summary>Requests whose handler threw, or whose payload was not the handler's type (answered with a remote error).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Requests whose handler gave up when its deadline passed or the client closed (not answered).</summary>
    public long Cancelled => Interlocked.Read(ref _cancelled);

    /// <summary>
    /// Stops serving: the broker stops routing here; requests already queued are still answered, within the
    /// client's drain timeout, after which the handlers' cancellation tokens fire.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _owner.UnserveAsync(this).ConfigureAwait(false);
        _queue.Writer.TryComplete();

        // Handlers get the drain timeout to finish what they hold, then their tokens are cancelled.
        Task handlers = Task.WhenAll(_workers);
        if (await Task.WhenAny(handlers, Task.Delay(_owner.Options.DrainTimeout)).ConfigureAwait(false) != handlers)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        await handlers.ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Set on the socket thread when the broker's OK is read; only confirmed services are restored after a reconnect.</summary>
    internal bool Confirmed { get; set; }

    /// <summary>Socket thread: queues a request; false if the queue is full.</summary>
    internal bool TryEnqueue(MqRequest request) => _queue.Writer.TryWrite(request);

    /// <summary>The client is closing: handlers are cancelled.</summary>
    /// <summary>The broker no longer routes requests here: handlers finish what they hold, and no more come.</summary>
    internal void Revoke() => _queue.Writer.TryComplete();

    internal void Abort()
    {
        _queue.Writer.TryComplete();
        try
        {
            _stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task WorkAsync()
    {
        // Started from the caller of ServeAsync: a request without a trace context starts a trace of its own.
        Activity.Current = null;
        await foreach (MqRequest request in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            await HandleAsync(request).ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(MqRequest request)
    {
        try
        {
            TimeSpan remaining = request.Deadline - DateTimeOffset.UtcNow;
            if (remaining <= TimeSpan.Zero || request.IsAborted)
            {
                // The requester has given up already; the broker has answered it (timeout) or it cancelled.
                return;
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            deadline.CancelAfter(remaining);
            request.Attach(_owner, deadline);
            await RunAsync(request, deadline).ConfigureAwait(false);
        }
        finally
        {
            _owner.EndServing(request);
        }
    }

    private async Task RunAsync(MqRequest request, CancellationTokenSource deadline)
    {
        using Activity? activity = MqTracing.StartServe(request);
        ReadOnlyMemory<byte> reply;
        try
        {
            reply = await _handler(request, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (deadline.IsCancellationRequested)
        {
            // Past its deadline, cancelled by the requester, or the client is closing: the broker has answered
            // the requester (timeout, responder lost) or nobody waits; a reply now would only race that.
            MqTracing.Fail(activity, ex);
            Interlocked.Increment(ref _cancelled);
            return;
        }
        catch (UnreadablePayloadException ex)
        {
            // The requester learns why; the server's log gets a line now and then, not a stack trace per request.
            MqTracing.Fail(activity, ex);
            Interlocked.Increment(ref _failed);
            long unreadable = Interlocked.Increment(ref _unreadable);
            if (_unreadableLog.Allow())
            {
                _owner.OnUnreadable($"service '{Name}'", ex.Message, unreadable);
            }

            await _owner.SendReplyAsync(request, ErrorCode.RemoteError, ex.Message, ErrorHeaders(ex), default).ConfigureAwait(false);
            return;
        }
        catch (MqRemoteFaultException fault)
        {
            Interlocked.Increment(ref _failed);
            await _owner.SendReplyAsync(request, ErrorCode.RemoteError, fault.Message, ErrorHeaders(fault), fault.Detail).ConfigureAwait(false);
            return;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            MqTracing.Fail(activity, ex);
            Interlocked.Increment(ref _failed);
            await _owner.SendReplyAsync(request, ErrorCode.RemoteError, ex.Message, ErrorHeaders(ex), default).ConfigureAwait(false);
            return;
        }

        Interlocked.Increment(ref _handled);
        await _owner.SendReplyAsync(request, ErrorCode.None, null, request.ReplyHeadersOrNull, reply).ConfigureAwait(false);
    }

    /// <summary>What the requester's <see cref="RemoteErrorException"/> tells about the failure (docs/protocol.md, "Remote errors").</summary>
    private Dictionary<string, string> ErrorHeaders(Exception exception)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RemoteErrorException.TypeHeader] = exception.GetType().FullName ?? exception.GetType().Name,
        };
        if (exception is MqRemoteFaultException fault)
        {
            headers[RemoteErrorException.FaultTypeHeader] = fault.FaultType;
        }

        if (_includeExceptionDetails && exception.StackTrace is { } stack)
        {
            // The header block must stay within the protocol's 16 KiB, or the broker refuses the whole REP.
            headers[RemoteErrorException.StackHeader] = stack.Length > MaxStackChars ? stack[..MaxStackChars] : stack;
        }

        return headers;
    }
}
