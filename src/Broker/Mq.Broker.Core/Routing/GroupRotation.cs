namespace Mq.Broker.Routing;

/// <summary>A queue group's turn counter, and how many subscriptions belong to the group (it goes when none do).</summary>
internal sealed class GroupRotation
{
    private uint _next;

    public int Subscriptions { get; set; }

    public uint Next() => _next++;
}
