using Mq.Protocol;

namespace Mq.Broker.Streams;

/// <summary>
/// What a CONSUME asks of a durable consumer. The first subscription's settings hold while any reads it; a
/// subscription joining a shared one must ask for the same, so no member changes the consumer under the others.
/// </summary>
internal sealed record DurableSettings(long AckWaitMs, int MaxDeliveries, string DeadLetter, string? Filter, StreamStartKind Start, ulong StartValue, bool Shared)
{
    public static readonly DurableSettings Default = new(StreamHost.DefaultAckWaitMs, 0, "", null, StreamStartKind.New, 0, false);

    /// <summary>The settings of <paramref name="other"/> that differ from these, as "name: this, not that"; null when none do.</summary>
    public string? Mismatch(DurableSettings other)
    {
        var differences = new List<string>();
        Compare("ack_wait_ms", AckWaitMs, other.AckWaitMs);
        Compare("max_deliveries", MaxDeliveries, other.MaxDeliveries);
        Compare("dead_letter", DeadLetter, other.DeadLetter);
        Compare("filter", Filter ?? "nil", other.Filter ?? "nil");
        Compare("start", $"{(int)Start} {StartValue}", $"{(int)other.Start} {other.StartValue}");
        return differences.Count == 0 ? null : string.Join(", ", differences);

        void Compare<T>(string name, T mine, T theirs)
        {
            if (!EqualityComparer<T>.Default.Equals(mine, theirs))
            {
                differences.Add($"{name} {mine}, not {theirs}");
            }
        }
    }
}
