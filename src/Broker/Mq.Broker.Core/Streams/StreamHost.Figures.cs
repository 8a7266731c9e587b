using Mq.Broker.Persistence;
using Mq.Broker.Server;

namespace Mq.Broker.Streams;

/// <summary>The streams' figures for <c>$SYS.stats</c>, the metrics and the dashboard (<see cref="BrokerStats.Streams"/>).</summary>
internal sealed partial class StreamHost
{
    /// <summary>Every stream's figures, by name; broker thread.</summary>
    public IReadOnlyList<StreamStats> Figures()
    {
        if (_streams.Count == 0)
        {
            return [];
        }

        return _streams.Values.OrderBy(s => s.Name, StringComparer.Ordinal).Select(stream =>
        {
            StreamState state = stream.Store.State;
            return new StreamStats
            {
                Name = stream.Name,
                Messages = state.Messages,
                Bytes = state.Bytes,
                FirstSequence = state.FirstSequence,
                LastSequence = stream.Committed,
                Consumers = stream.Consumers.Count,
                Stored = stream.Stored,
                Refused = stream.Refused,
                DeadLettered = stream.DeadLettered,
                DurableConsumers = stream.Durables.Values.OrderBy(d => d.Name, StringComparer.Ordinal).Select(d => Figures(stream, d)).ToArray(),
            };
        }).ToArray();
    }

    private static DurableConsumerStats Figures(BrokerStream stream, DurableConsumer durable)
    {
        // Read on from its shared position while a member reads it, else from just above its floor; purged messages are not pending.
        ulong next = durable.Members.Count > 0 && durable.Known ? durable.Position.Next : durable.Floor + 1;
        next = Math.Max(next, stream.Store.State.FirstSequence);
        return new DurableConsumerStats
        {
            Name = durable.Name,
            AckFloor = durable.Saved,
            Pending = stream.Committed >= next ? (long)(stream.Committed - next + 1) : 0,
            Unacknowledged = durable.Outstanding.Count,
            Members = durable.Members.Count,
        };
    }
}
