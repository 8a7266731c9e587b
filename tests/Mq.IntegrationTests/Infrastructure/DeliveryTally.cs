using Mq.Protocol;

namespace Mq.IntegrationTests.Infrastructure;

/// <summary>What a raw subscriber has been told so far: messages delivered, and the drops DROPPED advisories reported.</summary>
public sealed class DeliveryTally
{
    public long Delivered { get; private set; }

    /// <summary>The sum of the advisories' counts.</summary>
    public long ReportedDropped { get; private set; }

    /// <summary>The highest last sequence an advisory named.</summary>
    public ulong DroppedUpTo { get; private set; }

    /// <summary>Reads everything <paramref name="peer"/> has received since the last call.</summary>
    public DeliveryTally ReadFrom(RawPeer peer)
    {
        while (peer.TryNext(out ReceivedCommand? command))
        {
            if (command!.Code == CommandCode.Msg)
            {
                Delivered++;
            }
            else if (command.Code == CommandCode.Dropped)
            {
                CommandReader reader = command.Reader();
                reader.ReadUInt();
                ReportedDropped += (long)reader.ReadUInt();
                DroppedUpTo = Math.Max(DroppedUpTo, reader.ReadUInt());
            }
        }

        return this;
    }
}
