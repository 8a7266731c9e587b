using Mq.Broker.Sessions;

namespace Mq.Broker.Streams;

/// <summary>Duplicate detection: the message id of a publish, and what a repeat of one is answered.</summary>
internal sealed partial class StreamHost
{
    /// <summary>A repeated message id: answered with the original's sequence (now, or when the original is stored), never stored again.</summary>
    private bool Duplicate(BrokerStream stream, string id, PeerSession publisher, ulong reference, bool durable, long now)
    {
        if (stream.Duplicates.TryGet(id, out ulong sequence))
        {
            stream.Duplicated++;
            if (durable)
            {
                Stored(publisher, reference, stream.Name, sequence, duplicate: true, now);
            }

            return true;
        }

        if (stream.PendingIds.TryGetValue(id, out PendingAppend? original))
        {
            stream.Duplicated++;
            if (durable)
            {
                original.Waiting.Add((publisher, reference, true));
            }

            return true;
        }

        return false;
    }

    /// <summary>The value of the <see cref="MessageIdHeader"/> in a raw header block, or null.</summary>
    internal static string? MessageId(ReadOnlyMemory<byte> headers) => HeaderValue(headers, MessageIdHeader) is { Length: > 0 } id ? id : null;
}
