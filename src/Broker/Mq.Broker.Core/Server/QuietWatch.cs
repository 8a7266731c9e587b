using MessagePack;
using Mq.Broker.Sessions;
using Mq.Protocol;

namespace Mq.Broker.Server;

/// <summary>
/// Answers "is everything delivered?" (<see cref="BrokerServer.WaitForQuietAsync"/> and the <c>$SYS.quiet</c>
/// service). The broker is quiet when nothing is left to send (no batch, backlog, unreported drop or
/// flow-control wait), no request is in flight, and every connection has answered a ZMTP PING sent after all of
/// that, with no new work routed meanwhile: TCP keeps order, so the PONG proves the peer's socket read everything
/// before it. Broker thread only.
/// </summary>
internal sealed class QuietWatch(PeerWriter writer, Func<string?> busy, Func<long> work, Func<IEnumerable<uint>> connections, Action<uint, ulong>? probe)
{
    /// <summary>The broker-answered service; under a policy, asking it needs request permission on this name.</summary>
    public const string ServiceName = "$SYS.quiet";

    /// <summary>Names under this prefix are the broker's own: no peer may serve them.</summary>
    public const string ReservedPrefix = "$SYS.";

    private readonly List<Waiter> _waiters = [];
    private readonly HashSet<uint> _unanswered = [];
    private ulong _round;
    private bool _probing;
    private long _workAtStart;
    private string _lastBusy = "";

    /// <summary>An in-process ask: the task ends with null when quiet, or with what kept the broker busy at <paramref name="deadline"/>.</summary>
    public void Ask(TaskCompletionSource<string?> done, long deadline, long now)
    {
        _waiters.Add(new Waiter(done, null, 0, deadline, _round + 1));
        Check(now);
    }

    /// <summary>A peer's REQ to <see cref="ServiceName"/>: answered with a REPLY when quiet, or Timeout at its deadline.</summary>
    public void Ask(PeerSession requester, ulong rid, long deadline, long now)
    {
        _waiters.Add(new Waiter(null, requester, rid, deadline, _round + 1));
        Check(now);
    }

    public void OnPong(uint key, ulong token, long now)
    {
        if (_probing && token == _round && _unanswered.Remove(key))
        {
            Check(now);
        }
    }

    /// <summary>A connection is gone: it owes no PONG.</summary>
    public void Gone(uint key, long now)
    {
        if (_probing && _unanswered.Remove(key))
        {
            Check(now);
        }
    }

    /// <summary>Runs at the end of every pass of the broker thread (after the flush), and on PONGs.</summary>
    public void Check(long now)
    {
        if (_waiters.Count == 0)
        {
            _probing = false;
            return;
        }

        Expire(now);
        if (_probing && _unanswered.Count > 0)
        {
            return;
        }

        string? reason = busy();
        if (_probing)
        {
            _probing = false;
            if (reason is null && work() == _workAtStart)
            {
                Complete(_round, now);
                if (_waiters.Count == 0)
                {
                    return;
                }
            }
        }

        if (reason is not null)
        {
            _lastBusy = reason;
            return;
        }

        StartRound();
    }

    private void StartRound()
    {
        _round++;
        _workAtStart = work();
        _unanswered.Clear();
        if (probe is not null)
        {
            _unanswered.UnionWith(connections());
            foreach (uint key in _unanswered)
            {
                probe(key, _round);
            }
        }

        _lastBusy = "a connection has not answered its PING yet";
        _probing = true;
    }

    private void Complete(ulong round, long now)
    {
        for (int i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].FirstRound <= round)
            {
                Answer(_waiters[i], null, now);
                _waiters.RemoveAt(i);
            }
        }
    }

    private void Expire(long now)
    {
        for (int i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Deadline <= now)
            {
                Answer(_waiters[i], _lastBusy, now);
                _waiters.RemoveAt(i);
            }
        }
    }

    /// <summary>Ends one wait: <paramref name="busyReason"/> null means quiet.</summary>
    private void Answer(Waiter waiter, string? busyReason, long now)
    {
        if (waiter.Done is not null)
        {
            waiter.Done.TrySetResult(busyReason);
            return;
        }

        PeerSession requester = waiter.Requester!;
        if (requester.IsClosed)
        {
            return;
        }

        MessagePackWriter w = writer.Begin(requester);
        if (busyReason is null)
        {
            CommandWriter.WriteReply(ref w, waiter.Rid, ErrorCode.None, default, default, [MessagePackCode.True]);
        }
        else
        {
            CommandWriter.WriteReply(ref w, waiter.Rid, ErrorCode.Timeout, System.Text.Encoding.UTF8.GetBytes($"the broker was not quiet in time: {busyReason}"), default, default);
        }

        writer.End(requester, ref w, now);
    }

    private sealed record Waiter(TaskCompletionSource<string?>? Done, PeerSession? Requester, ulong Rid, long Deadline, ulong FirstRound);
}
