using System.Buffers;
using Mq.Broker.Server;
using Mq.Protocol;

namespace Mq.Broker.Transport;

/// <summary>
/// The bytes waiting to go to one connection, bounded in bytes. The broker thread appends ZMTP-framed frames and,
/// at the end of its pass, sends them itself when the connection's writer is idle (<see cref="TakeInline"/>: no
/// thread hop on the common path); otherwise, and for whatever the socket did not take at once, the writer sends
/// them, taking everything appended so far as one batch while appends go on into a second buffer. Buffers come
/// from the shared pool when first needed (a connection that never gets past its handshake holds a few KiB);
/// one that grew for a large frame goes back once sent.
/// </summary>
internal sealed class OutboundQueue(int boundBytes) : IDisposable
{
    private const int InitialBytes = 4 * 1024;
    private const int KeepBytes = 256 * 1024;

    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _signal = new(0);
    private byte[] _pending = [];
    private byte[] _sending = [];
    private int _pendingLength;
    private int _sendingLength;
    private int _sendingOffset;
    private bool _writerWaiting;
    private bool _inlineBusy;
    private bool _closed;
    private bool _disposed;

    /// <summary>Bytes appended and not yet written to the socket.</summary>
    public int QueuedBytes
    {
        get
        {
            lock (_lock)
            {
                return Queued;
            }
        }
    }

    private int Queued => _pendingLength + _sendingLength - _sendingOffset;

    /// <summary>
    /// Appends one message frame. Over the bound it is refused, unless nothing is queued: a frame larger than the
    /// bound still passes, alone. <paramref name="bounded"/> false is for the handshake's few frames. Does not wake
    /// the writer: the broker thread sends at the end of its pass, other callers call <see cref="Wake"/>.
    /// </summary>
    public SendOutcome AppendFrame(ReadOnlySpan<byte> frame, bool bounded = true)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return SendOutcome.PeerGone;
            }

            int total = ZmtpWire.HeaderLength(frame.Length) + frame.Length;
            if (bounded && Queued > 0 && Queued + total > boundBytes)
            {
                return SendOutcome.QueueFull;
            }

            Span<byte> destination = Reserve(total);
            int header = ZmtpWire.WriteHeader(destination, frame.Length);
            frame.CopyTo(destination[header..]);
            _pendingLength += total;
            return SendOutcome.Sent;
        }
    }

    /// <summary>Appends bytes that are already framed (greeting, READY, PONG) and wakes the writer. Refused only once closed.</summary>
    public bool AppendRaw(ReadOnlySpan<byte> bytes)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return false;
            }

            bytes.CopyTo(Reserve(bytes.Length));
            _pendingLength += bytes.Length;
            WakeWriter();
            return true;
        }
    }

    /// <summary>Has the writer send what is appended.</summary>
    public void Wake()
    {
        lock (_lock)
        {
            WakeWriter();
        }
    }

    /// <summary>
    /// Everything appended, for the caller to send at once, when the writer is idle; empty otherwise (a busy writer
    /// takes it next). Call <see cref="InlineSent"/> after a non-empty batch.
    /// </summary>
    public ReadOnlyMemory<byte> TakeInline()
    {
        lock (_lock)
        {
            if (!_writerWaiting || _inlineBusy || _closed || _sendingLength > 0 || _pendingLength == 0)
            {
                return ReadOnlyMemory<byte>.Empty;
            }

            _inlineBusy = true;
            return Swap();
        }
    }

    /// <summary>The socket took the first <paramref name="sent"/> bytes of the inline batch; the writer sends the rest.</summary>
    public void InlineSent(int sent)
    {
        lock (_lock)
        {
            _inlineBusy = false;
            if (_disposed)
            {
                ReturnBuffers();
                return;
            }

            _sendingOffset += sent;
            if (_sendingOffset == _sendingLength)
            {
                ResetSending();
            }

            if (Queued > 0 || _closed)
            {
                WakeWriter();
            }
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
                if (!_inlineBusy)
                {
                    if (_sendingLength > _sendingOffset)
                    {
                        // What an inline send left.
                        return _sending.AsMemory(_sendingOffset, _sendingLength - _sendingOffset);
                    }

                    if (_pendingLength > 0)
                    {
                        return Swap();
                    }

                    if (_closed)
                    {
                        return ReadOnlyMemory<byte>.Empty;
                    }
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
            ResetSending();
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

    /// <summary>After the writer ended. An inline send still running returns the buffers when it is done.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            _closed = true;
            _disposed = true;
            if (!_inlineBusy)
            {
                ReturnBuffers();
            }
        }

        _signal.Dispose();
    }

    private void ResetSending()
    {
        _sendingLength = 0;
        _sendingOffset = 0;
        if (_sending.Length > KeepBytes)
        {
            ArrayPool<byte>.Shared.Return(_sending);
            _sending = [];
        }
    }

    private ReadOnlyMemory<byte> Swap()
    {
        (_pending, _sending) = (_sending, _pending);
        _sendingLength = _pendingLength;
        _sendingOffset = 0;
        _pendingLength = 0;
        return _sending.AsMemory(0, _sendingLength);
    }

    private void ReturnBuffers()
    {
        _pendingLength = 0;
        _sendingLength = 0;
        _sendingOffset = 0;
        foreach (byte[] buffer in new[] { _pending, _sending })
        {
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        _pending = [];
        _sending = [];
    }

    private Span<byte> Reserve(int length)
    {
        if (_pending.Length - _pendingLength < length)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(InitialBytes, _pending.Length * 2), _pendingLength + length));
            _pending.AsSpan(0, _pendingLength).CopyTo(larger);
            if (_pending.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_pending);
            }

            _pending = larger;
        }

        return _pending.AsSpan(_pendingLength, length);
    }

    private void WakeWriter()
    {
        if (_writerWaiting && !_inlineBusy && !_disposed)
        {
            _writerWaiting = false;
            _signal.Release();
        }
    }
}
