using System.Buffers;
using MessagePack;
using Mq.Protocol;

namespace Mq.Client.Connection;

/// <summary>
/// Commands written by any thread, waiting for the socket thread. Writers append under a lock; the socket
/// thread takes everything at once, so whatever piles up while it sends goes out as a few large frames
/// (batching under load) while a lone command still leaves at once. Bounded: when full, writers wait.
/// </summary>
internal sealed class Outbox(long capacityBytes, OutboxFullMode fullMode)
{
    private readonly object _lock = new();
    private ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private ArrayBufferWriter<byte> _spare = new(16 * 1024);
    private readonly List<int> _frameEnds = [];
    private int _frameStart;
    private TaskCompletionSource? _space;
    private bool _closed;

    /// <summary>Bytes waiting.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _buffer.WrittenCount;
            }
        }
    }

    /// <summary>
    /// Appends a command, waiting while the outbox is full. Returns true if the outbox was empty before,
    /// i.e. the socket thread must be woken.
    /// </summary>
    public async ValueTask<bool> WriteAsync<TState>(CommandWrite<TState> write, TState state, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_closed, this);
                // An empty outbox takes any command, so one larger than the capacity cannot wait forever.
                if (_buffer.WrittenCount < capacityBytes || _buffer.WrittenCount == 0)
                {
                    return Append(write, state);
                }

                if (fullMode == OutboxFullMode.Fail)
                {
                    throw new Errors.MqException(Protocol.ErrorCode.LimitExceeded,
                        $"the outbox is full ({_buffer.WrittenCount} bytes queued, limit {capacityBytes}): the broker is slow or unreachable");
                }

                _space ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _space.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Appends without regard to capacity: for the socket thread's own control commands.</summary>
    public bool WriteNow<TState>(CommandWrite<TState> write, in TState state)
    {
        lock (_lock)
        {
            return Append(write, state);
        }
    }

    /// <summary>
    /// Takes every waiting command as frames (each at most a batch, unless one command is larger).
    /// The returned buffer stays valid until the next call.
    /// </summary>
    public bool TryTakeAll(List<ReadOnlyMemory<byte>> frames)
    {
        TaskCompletionSource? space;
        lock (_lock)
        {
            if (_buffer.WrittenCount == 0)
            {
                return false;
            }

            CloseFrame();
            (_buffer, _spare) = (_spare, _buffer);
            _buffer.ResetWrittenCount();
            ReadOnlyMemory<byte> taken = _spare.WrittenMemory;
            int start = 0;
            foreach (int end in _frameEnds)
            {
                frames.Add(taken[start..end]);
                start = end;
            }

            space = StartOverLocked();
        }

        space?.TrySetResult();
        return true;
    }

    /// <summary>
    /// Drops everything waiting: for commands written for a session that is gone. Their callers have been failed
    /// already; sent on the next session they would resurrect subscriptions nobody tracks, answer requests the
    /// broker forgot, or acknowledge another session's deliveries.
    /// </summary>
    public void Clear()
    {
        TaskCompletionSource? space;
        lock (_lock)
        {
            _buffer.ResetWrittenCount();
            space = StartOverLocked();
        }

        space?.TrySetResult();
    }

    /// <summary>Refuses further writes and releases anyone waiting for space.</summary>
    public void Close()
    {
        TaskCompletionSource? space;
        lock (_lock)
        {
            _closed = true;
            space = _space;
            _space = null;
        }

        space?.TrySetResult();
    }

    /// <summary>Under the lock, with the buffer empty: no frames are open, and whoever waited for room may go on.</summary>
    private TaskCompletionSource? StartOverLocked()
    {
        _frameEnds.Clear();
        _frameStart = 0;
        TaskCompletionSource? space = _space;
        _space = null;
        return space;
    }

    private bool Append<TState>(CommandWrite<TState> write, in TState state)
    {
        bool wasEmpty = _buffer.WrittenCount == 0;
        var writer = new MessagePackWriter(_buffer);
        write(ref writer, state);
        writer.Flush();
        if (_buffer.WrittenCount - _frameStart >= ProtocolLimits.BatchBytes)
        {
            CloseFrame();
        }

        return wasEmpty;
    }

    private void CloseFrame()
    {
        if (_buffer.WrittenCount > _frameStart)
        {
            _frameEnds.Add(_buffer.WrittenCount);
            _frameStart = _buffer.WrittenCount;
        }
    }
}
