using System.Buffers;
using MessagePack;
using Mq.Client.Connection.Transport;
using Mq.Protocol;

namespace Mq.Client.Connection;

/// <summary>
/// Socket thread: the send side of a peer connection. Takes batches from the outboxes while the session is live
/// and the <see cref="PublishLedger"/> has room, publishes only within the broker's credit, holds frames the
/// transport refused (its high-water mark; never spinning on SendReady), marks sent frames with PINGs, and replays
/// unconfirmed publishes after a reconnect. A batch ends with the transport's flush: one send call for all of it.
/// With a pinned broker key every frame is sealed for the secure channel as it leaves, and nothing at all leaves
/// while the channel is not up.
/// </summary>
internal sealed class FrameSender(IPeerTransport transport, Outbox outbox, Outbox publishes, PublishLedger ledger, PeerChannel? channel)
{
    private readonly List<ReadOnlyMemory<byte>> _taken = [];
    private readonly Queue<(byte[] Frame, bool Tracked)> _unsent = new();
    private readonly ArrayBufferWriter<byte> _scratch = new(256);

    // Publish frames taken from their outbox and waiting for credit. Refilled only once empty, so together
    // with the outbox they hold at most twice its capacity and publishers still feel the back-pressure.
    private Queue<byte[]> _held = new();
    private long _granted = long.MaxValue;
    private long _used;

    /// <summary>When a frame last left (for heartbeats), in Environment.TickCount64 milliseconds.</summary>
    public long LastSent { get; private set; } = Environment.TickCount64;

    /// <summary>
    /// Sends held-back frames, then (on a live session with ledger room) everything queued in the outbox, then
    /// a PING marking what the broker must confirm.
    /// </summary>
    public void SendPending(bool connected)
    {
        SendQueued(connected);
        transport.Flush();
    }

    /// <summary>
    /// <see cref="SendPending"/> on a live session from a thread other than the socket thread (holding the
    /// connection's socket lock): true if everything went out at once; false if something is left for the socket thread.
    /// </summary>
    public bool TrySendInline()
    {
        SendQueued(connected: true);
        return _unsent.Count == 0 && transport.TryFlush();
    }

    /// <summary>Pushes out what <see cref="SendDirect"/> queued outside a <see cref="SendPending"/>.</summary>
    public void Flush() => transport.Flush();

    private void SendQueued(bool connected)
    {
        while (_unsent.TryPeek(out (byte[] Frame, bool Tracked) next))
        {
            if (!TrySend(next.Frame, next.Tracked))
            {
                return;
            }

            _unsent.Dequeue();
        }

        if (connected && !ledger.IsFull)
        {
            // Publishes first, so a request sent after a publish does not overtake it while credit lasts.
            SendPublishes();
            _taken.Clear();
            if (outbox.TryTakeAll(_taken))
            {
                // Only publishes are replayed after a lost session, so only their frames need the broker's
                // confirmation: requests, replies and the like cost no PING round trip.
                foreach (ReadOnlyMemory<byte> frame in _taken)
                {
                    SendUntracked(frame.Span);
                }
            }
        }

        if (connected && ledger.NeedsMark)
        {
            SendDirect(static (ref MessagePackWriter w, in ulong mark) => CommandWriter.WritePing(ref w, mark), ledger.NextMark());
        }
    }

    /// <summary>Sends one control command as its own frame, outside the outbox and the ledger.</summary>
    public void SendDirect<TState>(CommandWrite<TState> write, in TState state)
    {
        _scratch.ResetWrittenCount();
        var writer = new MessagePackWriter(_scratch);
        write(ref writer, state);
        writer.Flush();
        SendUntracked(_scratch.WrittenSpan);
    }

    /// <summary>The secure channel's first message, in plaintext and ahead of everything held back: the one frame sent before the channel.</summary>
    public bool SendHandshake(byte[] frame) => transport.TrySend(frame);

    /// <summary>A new session: the credit announced in WELCOME (long.MaxValue if the broker grants none).</summary>
    public void StartSession(long credit)
    {
        _granted = credit;
        _used = 0;
    }

    /// <summary>CREDIT: the broker now allows this many bytes of PUB commands in the session, in all.</summary>
    public void Grant(ulong granted) => _granted = Math.Max(_granted, (long)Math.Min(granted, long.MaxValue));

    /// <summary>Queues, ahead of newer publishes, the ones the lost session never confirmed; returns how many bytes.</summary>
    public int Replay()
    {
        int bytes = 0;
        var held = new Queue<byte[]>();
        foreach (byte[] frame in ledger.TakeReplay())
        {
            held.Enqueue(frame);
            bytes += frame.Length;
        }

        foreach (byte[] frame in _held)
        {
            held.Enqueue(frame);
        }

        _held = held;
        return bytes;
    }

    public void SessionLost() => ledger.SessionLost();

    /// <summary>
    /// Sends publish frames while credit remains. A frame goes whenever any credit is left, so the broker allows
    /// an overshoot of one frame; the count includes the flush PINGs among them, which only errs on the safe side.
    /// Once the transport holds frames back, publishes stay in their outbox: otherwise a broker that grants no credit
    /// and stops reading would have them all copied into the held-back queue, without bound, on the socket thread.
    /// </summary>
    private void SendPublishes()
    {
        while (_used < _granted && _unsent.Count == 0)
        {
            if (_held.Count == 0)
            {
                _taken.Clear();
                if (!publishes.TryTakeAll(_taken))
                {
                    return;
                }

                foreach (ReadOnlyMemory<byte> frame in _taken)
                {
                    _held.Enqueue(frame.ToArray());
                }
            }

            byte[] next = _held.Dequeue();
            _used += next.Length;
            Send(next, tracked: true);
        }
    }

    /// <summary>
    /// An untracked frame in memory the caller reuses. On a live channel with nothing held back it is sealed straight
    /// into the array that goes to the transport, so the channel costs no extra copy; a transport with a buffer of
    /// its own (the stream) copies a plaintext frame there; a frame that must wait is copied.
    /// </summary>
    private void SendUntracked(ReadOnlySpan<byte> frame)
    {
        if (_unsent.Count == 0 && channel?.Channel is { } secure)
        {
            byte[] wire = new byte[frame.Length + ProtocolLimits.ChannelOverhead];
            secure.Send.Seal(frame, wire);
            if (transport.TrySend(wire))
            {
                secure.Send.Advance();
                LastSent = Environment.TickCount64;
                return;
            }
        }
        else if (_unsent.Count == 0 && channel is null && transport.BuffersSpans && transport.TrySend(frame))
        {
            LastSent = Environment.TickCount64;
            return;
        }

        Send(frame.ToArray(), tracked: false);
    }

    /// <summary>Sends now, or queues behind earlier frames the transport's high-water mark held back.</summary>
    private void Send(byte[] frame, bool tracked)
    {
        if (_unsent.Count > 0 || !TrySend(frame, tracked))
        {
            _unsent.Enqueue((frame, tracked));
        }
    }

    private bool TrySend(byte[] frame, bool tracked)
    {
        byte[] wire = frame;
        Security.ChannelCipher? cipher = null;
        if (channel is not null)
        {
            if (channel.Channel is null)
            {
                // Pinned to a broker key: no Mq command ever leaves in plaintext. It waits for the channel.
                return false;
            }

            // A held-back frame, or a publish whose plaintext the ledger keeps for a replay on the next session:
            // the ciphertext needs its own array.
            cipher = channel.Channel.Send;
            wire = new byte[frame.Length + ProtocolLimits.ChannelOverhead];
            cipher.Seal(frame, wire);
        }

        if (!transport.TrySend(wire))
        {
            return false;
        }

        cipher?.Advance();

        if (tracked)
        {
            ledger.Sent(frame);
        }

        LastSent = Environment.TickCount64;
        return true;
    }
}
