using System.Buffers;
using System.Net.Sockets;
using Mq.Protocol;

namespace Mq.Client.Connection.Transport;

/// <summary>
/// The writing side: frames are framed into one reusable buffer and leave in one send call per batch
/// (<see cref="Flush"/>). What the kernel does not take stays, and a 1 ms timer tries again; reading goes on meanwhile.
/// Past <see cref="SendQueueBytes"/> of unsent bytes a send is refused, and the connection's sender holds it, as
/// NetMQ's high-water mark does.
/// </summary>
internal sealed partial class StreamTransport
{
    private const int WriteBufferBytes = 64 * 1024;

    /// <summary>Unsent bytes the transport takes before it refuses more (it always takes one frame when empty).</summary>
    private const int SendQueueBytes = 1024 * 1024;

    private byte[] _out;
    private int _outStart;
    private int _outEnd;

    public bool TrySend(byte[] frame) => TrySend(frame.AsSpan());

    public bool TrySend(ReadOnlySpan<byte> frame)
    {
        if (!Open)
        {
            // No connection: the frame is lost as bytes in flight are; what must survive (publishes) the ledger replays.
            return true;
        }

        int queued = _outEnd - _outStart;
        if (queued > 0 && queued + frame.Length > SendQueueBytes)
        {
            return false;
        }

        Span<byte> destination = Reserve(ZmtpWire.HeaderLength(frame.Length) + frame.Length);
        int header = ZmtpWire.WriteHeader(destination, frame.Length);
        frame.CopyTo(destination[header..]);
        _outEnd += header + frame.Length;
        return true;
    }

    public bool SendsInline => true;

    public void Flush()
    {
        if (_socket is not { } socket)
        {
            return;
        }

        SocketError error = SendQueued(socket);
        if (error == SocketError.WouldBlock)
        {
            _timer.Interval = 1;
            _timer.Enable = true;
        }
        else if (error != SocketError.Success)
        {
            Lose($"writing to the broker failed: {error}");
        }
    }

    public bool TryFlush() => _socket is not { } socket ? _outEnd == _outStart : SendQueued(socket) == SocketError.Success;

    /// <summary>Writes queued bytes until none are left (Success) or the socket refuses (WouldBlock or an error).</summary>
    private SocketError SendQueued(Socket socket)
    {
        while (_outEnd > _outStart)
        {
            int sent = socket.Send(_out.AsSpan(_outStart, _outEnd - _outStart), SocketFlags.None, out SocketError error);
            if (error != SocketError.Success)
            {
                return error;
            }

            _outStart += sent;
        }

        _outStart = _outEnd = 0;
        if (_out.Length > 4 * WriteBufferBytes)
        {
            // A large frame grew the buffer: give it back rather than hold it for the connection's life.
            ArrayPool<byte>.Shared.Return(_out);
            _out = ArrayPool<byte>.Shared.Rent(WriteBufferBytes);
        }

        return SocketError.Success;
    }

    /// <summary>Bytes the transport itself writes (greeting, READY, PONG): queued whatever the bound.</summary>
    private void AppendRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _outEnd += bytes.Length;
    }

    /// <summary>Room for <paramref name="length"/> bytes after what is queued, moving or growing the buffer as needed.</summary>
    private Span<byte> Reserve(int length)
    {
        if (_out.Length - _outEnd < length)
        {
            int queued = _outEnd - _outStart;
            byte[] target = _out.Length - queued >= length ? _out : ArrayPool<byte>.Shared.Rent(Math.Max(2 * _out.Length, queued + length));
            _out.AsSpan(_outStart, queued).CopyTo(target);
            if (target != _out)
            {
                ArrayPool<byte>.Shared.Return(_out);
                _out = target;
            }

            _outStart = 0;
            _outEnd = queued;
        }

        return _out.AsSpan(_outEnd, length);
    }
}
