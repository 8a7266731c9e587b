using System.Buffers;
using MessagePack;
using Mq.Protocol;

namespace Mq.Client.Connection;

/// <summary>
/// Socket thread: frames handed to the socket and not yet known to be processed by the broker. After each
/// send the connection marks the point with a PING; the broker's OK releases everything before it. If the
/// session is lost first, the PUBs among those frames are replayed on the next session: a publish is then
/// delivered at least once across broker restarts instead of vanishing in a dead connection. Bounded: while it
/// holds more than its capacity, the connection sends nothing new, which pushes back on publishers.
/// </summary>
internal sealed class PublishLedger(long capacityBytes)
{
    /// <summary>Mark references live far above the ones callers use for SUB and friends, so they never collide.</summary>
    private const ulong FirstMark = 1UL << 62;

    private readonly Queue<(long Index, byte[] Frame)> _sent = new();
    private long _lastIndex;
    private long _bytes;
    private ulong _lastMark = FirstMark;
    private ulong _pendingMark;
    private long _pendingMarkCovers;

    public bool IsFull => _bytes >= capacityBytes;

    /// <summary>True if frames are waiting for a mark and none is in flight.</summary>
    public bool NeedsMark => _sent.Count > 0 && _pendingMark == 0;

    public void Sent(byte[] frame)
    {
        _sent.Enqueue((++_lastIndex, frame));
        _bytes += frame.Length;
    }

    /// <summary>The reference of a PING to send now, covering every frame sent so far.</summary>
    public ulong NextMark()
    {
        _pendingMark = ++_lastMark;
        _pendingMarkCovers = _lastIndex;
        return _pendingMark;
    }

    /// <summary>An OK arrived: if it answers the mark, the frames before it are done. False if it was not a mark.</summary>
    public bool TryAcknowledge(ulong reference)
    {
        if (reference < FirstMark)
        {
            return false;
        }

        if (reference == _pendingMark)
        {
            while (_sent.TryPeek(out var entry) && entry.Index <= _pendingMarkCovers)
            {
                _sent.Dequeue();
                _bytes -= entry.Frame.Length;
            }

            _pendingMark = 0;
        }

        return true;
    }

    /// <summary>The session was lost: the mark in flight will never be answered.</summary>
    public void SessionLost() => _pendingMark = 0;

    /// <summary>The PUBs of every unconfirmed frame, as new frames, in their original order; the ledger empties.</summary>
    public List<byte[]> TakeReplay()
    {
        var replay = new List<byte[]>();
        var buffer = new ArrayBufferWriter<byte>();
        while (_sent.TryDequeue(out var entry))
        {
            var reader = new CommandReader(entry.Frame);
            while (!reader.End)
            {
                int start = reader.Position;
                CommandCode code = reader.ReadCommand();
                reader.SkipCommand();
                if (code == CommandCode.Pub)
                {
                    buffer.Write(entry.Frame.AsSpan(start, reader.Position - start));
                }
            }

            if (buffer.WrittenCount >= ProtocolLimits.BatchBytes)
            {
                replay.Add(buffer.WrittenSpan.ToArray());
                buffer.ResetWrittenCount();
            }
        }

        if (buffer.WrittenCount > 0)
        {
            replay.Add(buffer.WrittenSpan.ToArray());
        }

        _bytes = 0;
        return replay;
    }
}
