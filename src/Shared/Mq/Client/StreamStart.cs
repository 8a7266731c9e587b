using Mq.Protocol;

namespace Mq.Client;

/// <summary>Where a stream consumer starts: the first stored message, a sequence, a time, or only new messages.</summary>
public readonly record struct StreamStart(StreamStartKind Kind, ulong Value)
{
    /// <summary>Everything the stream holds, then what comes.</summary>
    public static StreamStart First => new(StreamStartKind.First, 0);

    /// <summary>Only what is stored after the broker read the request.</summary>
    public static StreamStart New => new(StreamStartKind.New, 0);

    /// <summary>The newest message of each subject (a stream keeping last values), then what comes: current state, then changes.</summary>
    public static StreamStart LastPerSubject => new(StreamStartKind.LastPerSubject, 0);

    public static StreamStart AtSequence(ulong sequence) => new(StreamStartKind.Sequence, sequence);

    public static StreamStart AtTime(DateTimeOffset time) => new(StreamStartKind.Time, (ulong)Math.Max(0, time.ToUnixTimeMilliseconds()));

    /// <summary>Reads <c>start</c>, <c>new</c>, <c>last</c>, a sequence number, or a time (ISO 8601, e.g. 2026-12-03T14:00:00Z), as the command line writes them.</summary>
    public static bool TryParse(string text, out StreamStart start)
    {
        start = default;
        if (string.Equals(text, "start", StringComparison.OrdinalIgnoreCase) || string.Equals(text, "first", StringComparison.OrdinalIgnoreCase))
        {
            start = First;
        }
        else if (string.Equals(text, "last", StringComparison.OrdinalIgnoreCase))
        {
            start = LastPerSubject;
        }
        else if (string.Equals(text, "new", StringComparison.OrdinalIgnoreCase))
        {
            start = New;
        }
        else if (ulong.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ulong sequence) && sequence > 0)
        {
            start = AtSequence(sequence);
        }
        else if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset time))
        {
            start = AtTime(time);
        }
        else
        {
            return false;
        }

        return true;
    }

    public override string ToString() => Kind switch
    {
        StreamStartKind.First => "start",
        StreamStartKind.New => "new",
        StreamStartKind.LastPerSubject => "last",
        StreamStartKind.Sequence => Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => DateTimeOffset.FromUnixTimeMilliseconds((long)Value).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
    };
}
