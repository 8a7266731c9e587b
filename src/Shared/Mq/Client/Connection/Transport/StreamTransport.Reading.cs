using System.Net.Sockets;
using Mq.Protocol;

namespace Mq.Client.Connection.Transport;

/// <summary>
/// The reading side, on the poller thread when the socket is readable: the broker's greeting and READY, then
/// frames parsed out of one reusable buffer. Each announced size is checked against the limit from the header,
/// before anything is allocated for the body; a frame larger than the buffer is read straight into its own array.
/// </summary>
internal sealed partial class StreamTransport
{
    private const int ReadBufferBytes = 64 * 1024;
    private const int MaxReadsPerWakeup = 16;

    /// <summary>ZMTP commands (READY, PING, PONG, ERROR) are small; anything bigger is not the broker.</summary>
    private const int MaxCommandBytes = 4096;

    private enum Phase { None, Greeting, Ready, Frames }

    private Phase _phase;
    private byte[] _in;
    private int _inStart;
    private int _inEnd;
    private byte[]? _large; // the body of a frame larger than the read buffer, being filled
    private int _largeFilled;
    private bool _largeMore;
    private bool _inMultipart;

    private ReadOnlySpan<byte> Received => _in.AsSpan(_inStart, _inEnd - _inStart);

    private void OnReadable(Socket socket)
    {
        lock (_socketLock)
        {
            ReadAvailable(socket);
        }
    }

    private void ReadAvailable(Socket socket)
    {
        try
        {
            if (socket != _socket)
            {
                return;
            }

            int generation = _generation;
            for (int reads = 0; reads < MaxReadsPerWakeup && generation == _generation; reads++)
            {
                Span<byte> space = _large is { } large ? large.AsSpan(_largeFilled) : FreeSpace();
                int read = socket.Receive(space, SocketFlags.None, out SocketError error);
                if (error == SocketError.WouldBlock)
                {
                    break;
                }

                if (error != SocketError.Success || read == 0)
                {
                    Lose(read == 0 && error == SocketError.Success ? "the broker closed the connection" : $"reading from the broker failed: {error}");
                    return;
                }

                if (_large is not null)
                {
                    _largeFilled += read;
                    if (_largeFilled == _large.Length)
                    {
                        byte[] frame = _large;
                        _large = null;
                        Deliver(frame, _largeMore);
                    }
                }
                else
                {
                    _inEnd += read;
                    Parse(generation);
                }

                if (read < space.Length)
                {
                    // The kernel had no more for now: the poller says when it has.
                    break;
                }
            }

            if (generation == _generation)
            {
                _sink.OnReadyToSend();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _sink.OnUnexpected(ex);
        }
    }

    /// <summary>Room at the end of the read buffer, made by moving what is buffered to its start.</summary>
    private Span<byte> FreeSpace()
    {
        if (_inStart > 0 && _inEnd == _in.Length)
        {
            Received.CopyTo(_in);
            _inEnd -= _inStart;
            _inStart = 0;
        }

        return _in.AsSpan(_inEnd);
    }

    private void Parse(int generation)
    {
        if (_phase == Phase.Greeting && !ParseGreeting())
        {
            return;
        }

        if (_phase == Phase.Ready && !ParseReady())
        {
            return;
        }

        while (generation == _generation && ZmtpWire.TryReadHeader(Received, out byte flags, out ulong size, out int header))
        {
            bool command = (flags & ZmtpWire.FlagCommand) != 0;
            bool more = (flags & ZmtpWire.FlagMore) != 0;
            long limit = command ? MaxCommandBytes : _maxFrameBytes;
            if ((flags & ZmtpWire.ReservedFlags) != 0 || (command && more) || size > (ulong)limit)
            {
                // Decided from the header alone: nothing is allocated for a frame that announces too much.
                Lose(size > (ulong)limit
                    ? $"the broker announced a frame of {size} bytes; this client's limit is {limit} (MaxPayloadBytes)"
                    : $"the broker sent a frame with invalid flags 0x{flags:x2}");
                return;
            }

            int total = header + (int)size;
            if (Received.Length < total)
            {
                if (!command && total > _in.Length)
                {
                    // Larger than the buffer can ever hold: the body gets its own array, and the socket fills it directly.
                    _large = GC.AllocateUninitializedArray<byte>((int)size);
                    _largeMore = more;
                    Received[header..].CopyTo(_large);
                    _largeFilled = Received.Length - header;
                    _inStart = _inEnd = 0;
                }

                break;
            }

            ReadOnlySpan<byte> body = Received.Slice(header, (int)size);
            _inStart += total;
            if (command)
            {
                OnCommand(body);
            }
            else
            {
                byte[] frame = GC.AllocateUninitializedArray<byte>(body.Length);
                body.CopyTo(frame);
                Deliver(frame, more);
            }
        }

        if (generation == _generation && _inStart == _inEnd)
        {
            _inStart = _inEnd = 0;
        }
    }

    /// <summary>The broker's 64-byte greeting, judged byte by byte as it arrives. False until it is whole and good.</summary>
    private bool ParseGreeting()
    {
        ReadOnlySpan<byte> greeting = Received[..Math.Min(Received.Length, ZmtpWire.GreetingLength)];
        if (ZmtpHandshake.CheckGreeting(greeting) is { } problem)
        {
            Lose($"the broker's greeting was refused: {problem}");
            return false;
        }

        if (greeting.Length < ZmtpWire.GreetingLength)
        {
            return false;
        }

        _inStart += ZmtpWire.GreetingLength;
        _phase = Phase.Ready;
        return true;
    }

    /// <summary>The broker's READY, which must say it is a ROUTER. False until it is whole and good.</summary>
    private bool ParseReady()
    {
        if (!ZmtpWire.TryReadHeader(Received, out byte flags, out ulong size, out int header))
        {
            return false;
        }

        if ((flags & ~ZmtpWire.FlagLong) != ZmtpWire.FlagCommand || size > MaxCommandBytes)
        {
            Lose("the broker's first frame after its greeting is not a READY command of at most 4 KiB");
            return false;
        }

        if (Received.Length < header + (int)size)
        {
            return false;
        }

        ZmtpHandshake.Ready ready = ZmtpHandshake.ParseReady(Received.Slice(header, (int)size), ZmtpHandshake.Broker);
        if (ready.Problem is not null)
        {
            Lose($"the broker's READY was refused: {ready.Problem}");
            return false;
        }

        _inStart += header + (int)size;
        Opened();
        return true;
    }

    private void Deliver(byte[] frame, bool more)
    {
        if (_inMultipart || more)
        {
            // Mq messages have one frame: the parts of a longer one are skipped, and it is reported once whole.
            _inMultipart = more;
            if (!more)
            {
                _sink.OnProtocolError("a message with more than one frame");
            }

            return;
        }

        _sink.OnFrame(frame);
    }

    /// <summary>ZMTP commands after the handshake: PING is answered with PONG, PONG ignored, ERROR and anything else end the connection.</summary>
    private void OnCommand(ReadOnlySpan<byte> body)
    {
        ReadOnlySpan<byte> name = ZmtpWire.CommandName(body);
        if (name.SequenceEqual("PING"u8) && body.Length >= 7)
        {
            ReadOnlySpan<byte> context = body[7..];
            context = context[..Math.Min(context.Length, ZmtpWire.MaxPingContext)];
            Span<byte> pong = stackalloc byte[7 + ZmtpWire.MaxPingContext];
            AppendRaw(pong[..ZmtpWire.WritePong(pong, context)]);
            return;
        }

        if (name.SequenceEqual("PONG"u8))
        {
            return;
        }

        Lose(name.SequenceEqual("ERROR"u8) ? "the broker ended the connection with a ZMTP ERROR" : "the broker sent an unknown or malformed ZMTP command");
    }

    private void ResetBuffers()
    {
        _inStart = _inEnd = 0;
        _large = null;
        _inMultipart = false;
        _outStart = _outEnd = 0;
    }
}
