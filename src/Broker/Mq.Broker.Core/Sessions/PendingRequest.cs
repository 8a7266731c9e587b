using System.Diagnostics;
using Mq.Broker.Routing;

namespace Mq.Broker.Sessions;

/// <summary>A request routed to a server and not yet answered, under the broker's own id.</summary>
internal sealed class PendingRequest(ulong brokerId, PeerSession requester, ulong requesterId, PeerSession server, string service, ServiceStats stats, long deadline, long budgetMs, uint window)
{
    public ulong BrokerId { get; } = brokerId;

    public PeerSession Requester { get; } = requester;

    /// <summary>The id the requester chose, echoed in its REPLY.</summary>
    public ulong RequesterId { get; } = requesterId;

    public PeerSession Server { get; } = server;

    public string Service { get; } = service;

    /// <summary>Its service's statistics, which this request counts in when it ends.</summary>
    public ServiceStats Stats { get; } = stats;

    /// <summary>When the broker accepted it (<see cref="Stopwatch"/> timestamp), for its latency.</summary>
    public long Started { get; } = Stopwatch.GetTimestamp();

    /// <summary>When the broker answers Timeout. A streamed request moves it on with every part and grant (an idle deadline).</summary>
    public long Deadline { get; private set; } = deadline;

    /// <summary>The request's time budget in milliseconds, as cut to the broker's maximum.</summary>
    public long BudgetMs { get; } = budgetMs;

    /// <summary>Parts the requester lets the server have unread at most; 0 for a request answered by one REP.</summary>
    public uint Window { get; } = window;

    public bool IsStreamed => Window > 0;

    /// <summary>Parts the server may still send before the requester grants more.</summary>
    public long Credit { get; set; } = window;

    /// <summary>
    /// The requester stopped waiting (it cancelled or left) and the server was sent ABORT: what the server still
    /// sends for it (a REP or parts already on their way) is accepted and dropped, until its REP or its deadline.
    /// </summary>
    public bool Abandoned { get; set; }

    /// <summary>The scatter-gather this request is one server's share of, else null.</summary>
    public ScatterGather? Gather { get; init; }

    /// <summary>The stream moved (a part or a grant): its idle deadline starts again.</summary>
    public void Touch(long now) => Deadline = now + BudgetMs;
}
