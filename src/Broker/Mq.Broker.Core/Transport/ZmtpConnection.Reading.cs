using System.Buffers;
using System.Net.Sockets;
using MessagePack;
using Mq.Protocol;

namespace Mq.Broker.Transport;

/// <summary>The reading side: the handshake under its deadline, then frames, with backpressure by bytes.</summary>
internal sealed partial class ZmtpConnection
{
    private static readonly byte[] Greeting = ZmtpWire.Greeting();
    private static readonly byte[] ReadyCommand = ZmtpWire.Ready("ROUTER");
    private static readonly byte[] ChosenIdentityError = IdentityError();

    private byte[] _buffer;
    private int _start;
    private int _end;

    /// <summary>True when the peer may speak Mq; false when it was refused or left (counted and logged where it was decided).</summary>
    private async Task<bool> HandshakeAsync()
    {
        TimeSpan left = _settings.HandshakeTimeout - TimeSpan.FromMilliseconds(Environment.TickCount64 - AcceptedAt);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_readCancel.Token);
        deadline.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        try
        {
            return await HandshakeAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!_readCancel.IsCancellationRequested)
        {
            Refuse(ref _counters.HandshakesTimedOut, $"no ZMTP handshake within {_settings.HandshakeTimeout.TotalSeconds:0.###} s");
            return false;
        }
    }

    private async Task<bool> HandshakeAsync(CancellationToken cancellationToken)
    {
        while (_end - _start < ZmtpWire.GreetingLength)
        {
            if (!await FillAsync(ZmtpWire.GreetingLength, cancellationToken))
            {
                return false;
            }

            if (ZmtpHandshake.CheckGreeting(Received) is { } problem)
            {
                Refuse(ref _counters.HandshakesRefused, problem);
                return false;
            }
        }

        _start += ZmtpWire.GreetingLength;
        byte flags;
        ulong size;
        int header;
        while (!ZmtpWire.TryReadHeader(Received, out flags, out size, out header))
        {
            if (!await FillAsync(ZmtpWire.MaxHeaderLength, cancellationToken))
            {
                return false;
            }
        }

        if ((flags & ~ZmtpWire.FlagLong) != ZmtpWire.FlagCommand || size > TransportSettings.MaxHandshakeCommandBytes)
        {
            Refuse(ref _counters.HandshakesRefused, "the first frame after the greeting is not a READY command of at most 4 KiB");
            return false;
        }

        int total = header + (int)size;
        while (_end - _start < total)
        {
            if (!await FillAsync(total, cancellationToken))
            {
                return false;
            }
        }

        ZmtpHandshake.Ready ready = ZmtpHandshake.ParseReady(Received.Slice(header, (int)size), ZmtpHandshake.RouterPeers);
        _start += total;
        if (ready.Problem is not null)
        {
            Refuse(ref _counters.HandshakesRefused, ready.Problem);
            return false;
        }

        _outbound.AppendRaw(ReadyCommand);
        if (ready.HasIdentity)
        {
            // Connection keys are the transport's own; a peer that asks to choose one is told so, then closed.
            _outbound.AppendFrame(ChosenIdentityError, bounded: false);
            _outbound.Wake();
            Refuse(ref _counters.HandshakesRefused, "it set its own routing identity");
            return false;
        }

        _outbound.AppendFrame(_connectedFrame.Span, bounded: false);
        _outbound.Wake();
        return true;
    }

    private async Task ReadFramesAsync()
    {
        CancellationToken cancellationToken = _readCancel.Token;
        Regrow(ReadBufferBytes);
        bool inMultipart = false;
        while (true)
        {
            InboundBatch? batch = null;
            int needed = ZmtpWire.MaxHeaderLength;
            while (ZmtpWire.TryReadHeader(Received, out byte flags, out ulong size, out int header))
            {
                bool command = (flags & ZmtpWire.FlagCommand) != 0;
                long limit = command ? TransportSettings.MaxHandshakeCommandBytes : _settings.MaxFrameBytes;
                if ((flags & ZmtpWire.ReservedFlags) != 0 || (command && (flags & ZmtpWire.FlagMore) != 0) || size > (ulong)limit)
                {
                    // Checked from the header alone: nothing is allocated for a frame that announces too much.
                    Refuse(ref _counters.FramingErrors, size > (ulong)limit
                        ? $"it announced a frame of {size} bytes; the limit is {limit}"
                        : $"a frame with invalid flags 0x{flags:x2}");
                    return;
                }

                int total = header + (int)size;
                if (_end - _start < total)
                {
                    needed = total;
                    break;
                }

                if (command)
                {
                    if (!OnCommand(Received.Slice(header, (int)size)))
                    {
                        return;
                    }
                }
                else if (inMultipart || (flags & ZmtpWire.FlagMore) != 0)
                {
                    // Mq messages have one frame: the parts of a longer one are skipped, and it is refused once whole.
                    inMultipart = (flags & ZmtpWire.FlagMore) != 0;
                    if (!inMultipart)
                    {
                        (batch ??= new InboundBatch(this, _buffer, _deliver)).AddMultipart();
                    }
                }
                else
                {
                    (batch ??= new InboundBatch(this, _buffer, _deliver)).AddFrame(_start + header, (int)size);
                }

                _start += total;
            }

            if (batch is not null)
            {
                Hand(batch, needed);
            }

            // Backpressure: while the broker thread holds too much of this connection's input, TCP holds the rest.
            while (Volatile.Read(ref _inBroker) > _settings.ReceiveQueueBytes)
            {
                await _released.WaitAsync(cancellationToken);
            }

            if (!await FillAsync(needed, cancellationToken))
            {
                return;
            }
        }
    }

    private ReadOnlySpan<byte> Received => _buffer.AsSpan(_start, _end - _start);

    /// <summary>ZMTP commands after the handshake: PING is answered with PONG, PONG ignored, anything else ends the connection.</summary>
    private bool OnCommand(ReadOnlySpan<byte> body)
    {
        ReadOnlySpan<byte> name = ZmtpWire.CommandName(body);
        if (name.SequenceEqual("PING"u8) && body.Length >= 7)
        {
            ReadOnlySpan<byte> context = body[7..];
            if (context.Length > ZmtpWire.MaxPingContext)
            {
                context = context[..ZmtpWire.MaxPingContext];
            }

            // A peer that pings without reading gets no PONGs past its queue's bound.
            if (_outbound.QueuedBytes < _settings.SendQueueBytes)
            {
                Span<byte> pong = stackalloc byte[7 + ZmtpWire.MaxPingContext];
                _outbound.AppendRaw(pong[..ZmtpWire.WritePong(pong, context)]);
            }

            return true;
        }

        if (name.SequenceEqual("PONG"u8))
        {
            // Only the broker's own probes carry an 8-byte context (NetMQ and libzmq heartbeats send none).
            if (body.Length == 5 + sizeof(ulong))
            {
                _handler.OnPong(this, System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(body[5..]));
            }

            return true;
        }

        if (!name.SequenceEqual("ERROR"u8))
        {
            Refuse(ref _counters.FramingErrors, "an unknown or malformed ZMTP command");
        }

        return false;
    }

    /// <summary>Hands the buffer with the batch's frames to the broker thread and goes on in a fresh one.</summary>
    private void Hand(InboundBatch batch, int needed)
    {
        Interlocked.Add(ref _inBroker, batch.Buffer.Length);
        byte[] next = ArrayPool<byte>.Shared.Rent(Math.Max(ReadBufferBytes, needed));
        Received.CopyTo(next);
        _end -= _start;
        _start = 0;
        _buffer = next;
        _handler.OnFrames(batch);
    }

    /// <summary>Reads once, making room first for <paramref name="needed"/> bytes from the start of what is buffered. False at end of stream.</summary>
    private async ValueTask<bool> FillAsync(int needed, CancellationToken cancellationToken)
    {
        if (_buffer.Length - _start < needed || _end == _buffer.Length)
        {
            Regrow(needed);
        }

        int read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        _end += read;
        return read > 0;
    }

    /// <summary>Moves what is buffered to the start of a buffer of at least <paramref name="size"/> bytes.</summary>
    private void Regrow(int size)
    {
        byte[] target = _buffer.Length >= size ? _buffer : ArrayPool<byte>.Shared.Rent(Math.Max(size, Math.Min(2 * _buffer.Length, ReadBufferBytes)));
        Received.CopyTo(target);
        if (target != _buffer)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = target;
        }

        _end -= _start;
        _start = 0;
    }

    private static byte[] IdentityError()
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        var w = new MessagePackWriter(buffer);
        CommandWriter.WriteError(ref w, 0, ErrorCode.Malformed, "peers must not set their own ZeroMQ routing identity; the broker assigns it", 0);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
