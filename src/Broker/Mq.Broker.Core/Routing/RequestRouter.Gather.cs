using MessagePack;
using Mq.Broker.Server;
using Mq.Broker.Sessions;
using Mq.Protocol;
using Mq.Subjects;

namespace Mq.Broker.Routing;

/// <summary>
/// REQALL, scatter-gather: the request goes to every server of the service, each answer is relayed as GATHERED
/// as it comes, and one REPLY ends it when all answered, enough succeeded, or the deadline passed.
/// </summary>
internal sealed partial class RequestRouter
{
    public void RequestAll(PeerSession requester, ref CommandReader reader, long now)
    {
        var ask = Ask.Read(ref reader);
        ulong maxReplies = reader.ReadUInt();
        reader.EndCommand();

        ulong rid = ask.Rid;
        Span<char> name = stackalloc char[ask.Service.Length];
        if (!Admit(requester, ask, name, now, out int length))
        {
            return;
        }

        name = name[..length];

        if (name.StartsWith(QuietWatch.ReservedPrefix, StringComparison.Ordinal))
        {
            Fail(requester, rid, ErrorCode.NoResponders, $"the broker's own services ({SystemServices.Names}) answer REQ, not REQALL", now);
            return;
        }

        if (!_services.TryGetServers(name, out string? serviceName, out IReadOnlyList<PeerSession>? servers, out ServiceStats? stats))
        {
            string? error = Subject.Validate(name, SubjectKind.Service);
            Fail(requester, rid, error is null ? ErrorCode.NoResponders : ErrorCode.InvalidSubject, error ?? $"no peer serves '{name}'", now);
            return;
        }

        if (!WithinOpenLimit(requester, rid, servers.Count, now))
        {
            return;
        }

        long budget = Budget(ask.TimeoutMs);
        var gather = new ScatterGather(requester, rid, serviceName, (uint)Math.Min(maxReplies, uint.MaxValue), servers.Count);
        requester.GathersByRid[rid] = gather;
        foreach (PeerSession server in servers)
        {
            var pending = new PendingRequest(++_lastBrokerId, requester, rid, server, serviceName, stats, now + budget, budget, 0) { Gather = gather };
            stats.Started();
            _pending.Add(pending.BrokerId, pending);
            EnqueueDeadline(pending);
            server.HeldRequests.Add(pending.BrokerId);
            requester.MadeRequests.Add(pending.BrokerId, pending);
            gather.Open.Add(pending.BrokerId);
            counters.RequestsRouted++;

            MessagePackWriter w = writer.Begin(server);
            CommandWriter.WriteRequest(ref w, pending.BrokerId, ask.Service.Span, (uint)Math.Min(budget, uint.MaxValue), ask.Headers.Span, ask.Payload.Span);
            writer.End(server, ref w, now);
        }
    }

    /// <summary>One server's answer (its REP, or the broker's word that it is lost): relayed at once, and maybe the end.</summary>
    private void Gathered(ScatterGather gather, PendingRequest pending, ErrorCode code, ReadOnlySpan<byte> error, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload, long now)
    {
        gather.Open.Remove(pending.BrokerId);
        if (code == ErrorCode.None)
        {
            gather.Succeeded++;
        }

        MessagePackWriter w = writer.Begin(gather.Requester);
        CommandWriter.WriteGathered(ref w, gather.RequesterId, code, error, headers, payload, pending.Server.PeerId);
        writer.End(gather.Requester, ref w, now);
        if (gather.Done)
        {
            EndGather(gather, ErrorCode.None, default, now);
        }
    }

    /// <summary>The requester's one REPLY for the scatter-gather; servers still working on it are told to stop.</summary>
    private void EndGather(ScatterGather gather, ErrorCode code, ReadOnlySpan<byte> message, long now)
    {
        gather.Requester.GathersByRid.Remove(gather.RequesterId);
        AbandonAll(gather, gather.Done ? "enough servers answered" : "the request's deadline passed", now);
        MessagePackWriter w = writer.Begin(gather.Requester);
        CommandWriter.WriteReply(ref w, gather.RequesterId, code, message, default, default);
        writer.End(gather.Requester, ref w, now);
    }

    private void AbandonAll(ScatterGather gather, string reason, long now)
    {
        foreach (ulong brokerId in gather.Open)
        {
            Abandon(_pending[brokerId], reason, now);
        }

        gather.Open.Clear();
    }
}
