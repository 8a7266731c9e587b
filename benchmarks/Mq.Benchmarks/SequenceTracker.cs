using System.Buffers.Binary;
using System.Diagnostics;

namespace Mq.Benchmarks;

/// <summary>
/// Counts deliveries exactly: every payload starts with its sequence number (0 to count-1, little-endian), so
/// duplicates and gaps are told apart, and what never arrived is lost. Negative numbers are the warm-up before
/// the measured run: counted apart, they touch neither the counts nor the timestamps.
/// </summary>
internal sealed class SequenceTracker(long count)
{
    private readonly bool[] _seen = new bool[count];

    public long Expected { get; } = count;

    public long Distinct { get; private set; }

    public long Duplicates { get; private set; }

    public long Invalid { get; private set; }

    /// <summary>Stopwatch timestamps (CLOCK_MONOTONIC on Linux, so comparable across processes) of the first and last delivery.</summary>
    public long FirstTimestamp { get; private set; }

    public long LastTimestamp { get; private set; }

    public bool Complete => Distinct == Expected;

    /// <summary>When the last warm-up message came (0 before the first).</summary>
    public long LastWarmupTimestamp { get; private set; }

    /// <summary>True once the warm-up's last message (sequence -1) has arrived.</summary>
    public bool WarmupComplete { get; private set; }

    public long Lost => Expected - Distinct;

    /// <summary>Writes sequence number <paramref name="sequence"/> at the start of <paramref name="payload"/>.</summary>
    public static void Stamp(Span<byte> payload, long sequence) => BinaryPrimitives.WriteInt64LittleEndian(payload, sequence);

    /// <summary>Records one payload; returns false once every sequence number has arrived.</summary>
    public bool Record(ReadOnlySpan<byte> payload)
    {
        long now = Stopwatch.GetTimestamp();
        long sequence = payload.Length >= 8 ? BinaryPrimitives.ReadInt64LittleEndian(payload) : long.MinValue;
        if (sequence is < 0 and > long.MinValue)
        {
            LastWarmupTimestamp = now;
            WarmupComplete |= sequence == -1;
            return true;
        }

        if (Distinct == 0 && Duplicates == 0 && Invalid == 0)
        {
            FirstTimestamp = now;
        }

        LastTimestamp = now;
        if (sequence < 0 || sequence >= Expected)
        {
            Invalid++;
        }
        else if (_seen[sequence])
        {
            Duplicates++;
        }
        else
        {
            _seen[sequence] = true;
            Distinct++;
        }

        return !Complete;
    }
}
