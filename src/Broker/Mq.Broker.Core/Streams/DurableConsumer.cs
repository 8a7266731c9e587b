using Mq.Broker.Routing;

namespace Mq.Broker.Streams;

/// <summary>
/// A named consumer of a stream whose acknowledged floor is kept in the store: every message at or below it is
/// acknowledged. Deliveries not acknowledged within the ack wait are sent again, up to the most deliveries allowed,
/// then published to the dead-letter subject. Several subscriptions may read it together when each asks to share it
/// (<see cref="DurableSettings.Shared"/>): they share one position, and each message goes to one of them. Broker thread only.
/// </summary>
internal sealed class DurableConsumer(string name)
{
    public string Name { get; } = name;

    /// <summary>The settings its subscriptions read it with: the first one's; a later one must ask for the same.</summary>
    public DurableSettings Settings { get; set; } = DurableSettings.Default;

    public long AckWaitMs => Settings.AckWaitMs;

    /// <summary>0: no limit.</summary>
    public int MaxDeliveries => Settings.MaxDeliveries;

    public string DeadLetter => Settings.DeadLetter;

    /// <summary>The subscriptions reading it now, in the order they came; more than one only when shared.</summary>
    public List<BrokerSubscription> Members { get; } = [];

    /// <summary>Where the members are in the stream, together: one next sequence and one read at a time for all of them.</summary>
    public StreamPosition Position { get; } = new();

    public ulong Floor { get; set; }

    /// <summary>Read before in this broker's life: <see cref="Floor"/> is current and the store need not be asked.</summary>
    public bool Known { get; set; }

    /// <summary>The floor the store holds (or is writing): a change is written when the floor passes it.</summary>
    public ulong Saved { get; set; }

    public bool Saving { get; set; }

    /// <summary>Sent and not acknowledged, by stream sequence.</summary>
    public SortedDictionary<ulong, Unacknowledged> Outstanding { get; } = [];

    /// <summary>The member the next message is offered to first, so members with room take turns.</summary>
    private int _turn;

    /// <summary>
    /// The next member (in turn, other than <paramref name="except"/>) that has room, with one place of its window
    /// taken; null when none has.
    /// </summary>
    public BrokerSubscription? Take(BrokerSubscription? except = null)
    {
        for (int i = 0; i < Members.Count; i++)
        {
            int index = (_turn + i) % Members.Count;
            BrokerSubscription member = Members[index];
            if (member != except && member.Cursor!.Started && !member.Session.IsClosed && member.Flow!.TryTake(member.Session))
            {
                _turn = index + 1;
                return member;
            }
        }

        return null;
    }

    /// <summary>How many deliveries the members have room for now: what one read may ask for.</summary>
    public long Room()
    {
        long room = 0;
        foreach (BrokerSubscription member in Members)
        {
            if (member.Cursor!.Started && !member.Session.IsClosed && member.Flow!.HasRoom(member.Session))
            {
                room += member.Flow.Credit;
            }
        }

        return room;
    }
}
