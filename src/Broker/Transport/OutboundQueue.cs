using System.Buffers;
using Mq.Broker.Server;

namespace Mq.Broker.Transport;

/// <summary>
/// The bytes waiting to go to one connection, bounded in bytes. The broker thread appends ZMTP-framed frames;
/// the connection's writer takes everything appended so far as one batch (one send), while appends go on into a
/// second buffer. Buffers come from the shared pool; one that grew for a large frame goes back once sent.
/// </summary>
internal sealed class OutboundQueue(int boundBytes) : IDisposable
{
    private const int InitialBytes = 16 * 1024;
    private const int KeepBytes = 256 * 1024;

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _signal = new(0);
    private byte[] _pending = ArrayPool<byte>.Shared.Rent(InitialBytes);
    private byte[] _sending = ArrayPool<byte>.Shared.Rent(InitialBytes);
    private int _pendingLength;
    private int _sendingLength;
    private bool _writerWaiting;
    private bool _closed;

    /// <summary>Bytes appended and not yet written to the socket.</summary>
    public int QueuedBytes
    {
        get
        {
            lock (_lock)
            {
                return _pendingLength + _sendingLength;
            }
        }
    }

    /// <summary>
    /// Appends one message frame. Over the bound it is refused, unless nothing is queued: a frame larger than the
    /// bound still passes, alone. <paramref name="bounded"/> false is for the handshake's few bytes.
    /// </summary>
    public SendOutcome AppendFrame(ReadOnlySpan<byte> frame, bool bounded = true)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return SendOutcome.PeerGone;
            }

            int queued = _pendingLength + _sendingLength;
            int total = ZmtpWire.HeaderLength(frame.Length) + frame.Length;
            if (bounded && queued > 0 && queued + total > boundBytes)
            {
                return SendOutcome.QueueFull;
            }

            Span<byte> destination = Reserve(total);
            int header = ZmtpWire.WriteHeader(destination, frame.Length);
            frame.CopyTo(destination[header..]);
            Commit(total);
            return SendOutcome.Sent;
        }
    }

    /// <summary>Appends bytes that are already framed (greeting, READY, PONG). Refused only once closed.</summary>
    public bool AppendRaw(ReadOnlySpan<byte> bytes)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return false;
            }

            bytes.CopyTo(Reserve(bytes.Length));
            Commit(bytes.Length);
            return true;
        }
    }

    /// <summary>
    /// Waits for bytes to send and takes all of them. Empty once the queue is closed and what was appended before
    /// has been taken. Call <see cref="Written"/> after each non-empty batch.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> TakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_lock)
            {
                if (_pendingLength > 0)
                {
                    (_pending, _sending) = (_sending, _pending);
                    _sendingLength = _pendingLength;
                    _pendingLength = 0;
                    return _sending.AsMemory(0, _sendingLength);
                }

                if (_closed)
                {
                    return ReadOnlyMemory<byte>.Empty;
                }

                _writerWaiting = true;
            }

            await _signal.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The batch taken last is on the wire.</summary>
    public void Written()
    {
        lock (_lock)
        {
            _sendingLength = 0;
            if (_sending.Length > KeepBytes)
            {
                ArrayPool<byte>.Shared.Return(_sending);
                _sending = ArrayPool<byte>.Shared.Rent(InitialBytes);
            }
        }
    }

    /// <summary>No more appends; the writer takes what is left, then gets an empty batch.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            WakeWriter();
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _closed = true;
            _pendingLength = 0;
            _sendingLength = 0;
            ArrayPool<byte>.Shared.Return(_pending);
            ArrayPool<byte>.Shared.Return(_sending);
            _pending = [];
            _sending = [];
        }

        _signal.Dispose();
    }

    private Span<byte> Reserve(int length)
    {
        if (_pending.Length - _pendingLength < length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(_pending.Length * 2, _pendingLength + length));
            _pending.AsSpan(0, _pendingLength).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_pending);
            _pending = larger;
        }

        return _pending.AsSpan(_pendingLength, length);
    }

    private void Commit(int length)
    {
        _pendingLength += length;
        WakeWriter();
    }

    private void WakeWriter()
    {
        if (_writerWaiting)
        {
            _writerWaiting = false;
            _signal.Release();
        }
    }
}
