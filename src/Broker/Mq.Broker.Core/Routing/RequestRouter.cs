using System.Diagnostics;
using System.Text;
using MessagePack;
using Mq.Broker.Events;
using Mq.Broker.Server;
using Mq.Broker.Sessions;
using Mq.Protocol;
using Mq.Subjects;

namespace Mq.Broker.Routing;

/// <summary>
/// SERVE, UNSERVE, REQ and REP: routes each request to one server under a broker-assigned id, and makes sure
/// every request ends with exactly one REPLY: the server's, or the broker's own (no responders, responder lost,
/// timeout) as soon as the broker knows; or, when the requester cancels or leaves, with an ABORT to the server.
/// </summary>
internal sealed partial class RequestRouter(BrokerOptions options, PeerWriter writer, BrokerCounters counters, QuietWatch quiet, Func<SystemServices> system, BrokerEvents events, BrokerMetrics? metrics)
{
    private readonly ServiceDirectory _services = new();
    private readonly Dictionary<ulong, PendingRequest> _pending = [];
    private readonly PriorityQueue<ulong, long> _deadlines = new();
    private ulong _lastBrokerId;

    public int ServiceCount => _services.Count;

    public int PendingCount => _pending.Count;

    /// <summary>Answers the <c>$SYS.stream.</c> and <c>$SYS.kv.</c> requests; null in a broker without streams.</summary>
    public Streams.StreamHost? Streams { get; set; }

    /// <summary>Every service with its number of servers, of requests handed to them and not answered yet, and its statistics.</summary>
    public IEnumerable<(string Name, int Servers, int InFlight, ServiceStats Stats)> Describe()
    {
        var inFlight = _pending.Values.CountBy(p => p.Service).ToDictionary(StringComparer.Ordinal);
        return _services.All.Select(s => (s.Name, s.Servers, inFlight.GetValueOrDefault(s.Name), s.Stats));
    }

    public void Serve(PeerSession peer, ref CommandReader reader, long now)
    {
        ulong reference = reader.ReadUInt();
        ReadOnlyMemory<byte> serviceUtf8 = reader.ReadUtf8(ProtocolLimits.MaxSubjectBytes);
        reader.EndCommand();

        string? error = Subject.Validate(serviceUtf8.Span, SubjectKind.Service);
        string service = Encoding.UTF8.GetString(serviceUtf8.Span);
        if (error is not null)
        {
            writer.Refuse(peer, reference, ErrorCode.InvalidSubject, error, now);
        }
        else if (service.StartsWith(QuietWatch.ReservedPrefix, StringComparison.Ordinal))
        {
            writer.Refuse(peer, reference, ErrorCode.PermissionDenied, $"'{service}' is under {QuietWatch.ReservedPrefix}, which only the broker serves", now);
            events.PermissionDenied(peer, "serve", service, now);
        }
        else if (peer.Permissions is { } permissions && !permissions.CanServe(service))
        {
            writer.Refuse(peer, reference, ErrorCode.PermissionDenied, $"serve '{service}' is not allowed for identity '{peer.Identity!.Name}'", now);
            events.PermissionDenied(peer, "serve", service, now);
        }
        else if (peer.Services.Count >= options.MaxServicesPerPeer)
        {
            writer.Refuse(peer, reference, ErrorCode.LimitExceeded, $"a peer may serve at most {options.MaxServicesPerPeer} services", now);
        }
        else if (!peer.Services.Add(service))
        {
            writer.Refuse(peer, reference, ErrorCode.Conflict, $"already serving '{service}'", now);
        }
        else
        {
            _services.Add(service, peer);
            events.Served(peer, service, now);
            writer.Ok(peer, reference, now);
        }
    }

    public void Unserve(PeerSession peer, ref CommandReader reader, long now)
    {
        ulong reference = reader.ReadUInt();
        string service = reader.ReadString(ProtocolLimits.MaxSubjectBytes);
        reader.EndCommand();

        if (!peer.Services.Remove(service))
        {
            writer.Refuse(peer, reference, ErrorCode.Conflict, $"not serving '{service}'", now);
            return;
        }

        // Requests already handed to this peer stay its to answer.
        _services.Remove(service, peer);
        events.Unserved(peer, service, now);
        writer.Ok(peer, reference, now);
    }

    public void Request(PeerSession requester, ref CommandReader reader, long now)
    {
        var ask = Ask.Read(ref reader);
        ulong window = reader.HasMoreFields ? reader.ReadUInt() : 0;
        reader.EndCommand();

        ulong rid = ask.Rid;
        Span<char> name = stackalloc char[ask.Service.Length];
        if (!Admit(requester, ask, name, now, out int length) || !WithinOpenLimit(requester, rid, 1, now))
        {
            return;
        }

        name = name[..length];
        long budget = Budget(ask.TimeoutMs);
        if (name.SequenceEqual(QuietWatch.ServiceName))
        {
            quiet.Ask(requester, rid, now + budget, now);
            return;
        }

        if (Streams is not null && name.StartsWith(Mq.Broker.Streams.StreamHost.AdminPrefix, StringComparison.Ordinal))
        {
            Streams.Request(requester, rid, name.ToString(), ask.Payload, now);
            return;
        }

        if (Streams is not null && name.StartsWith(Mq.Broker.Streams.StreamHost.KeyValuePrefix, StringComparison.Ordinal))
        {
            Streams.KeyValueRequest(requester, rid, name.ToString(), ask.Payload, now);
            return;
        }

        if (name.StartsWith(QuietWatch.ReservedPrefix, StringComparison.Ordinal))
        {
            if (!system().TryAnswer(requester, rid, name, now))
            {
                Fail(requester, rid, ErrorCode.NoResponders, $"the broker has no service '{name}'; it answers {SystemServices.Names}", now);
            }

            return;
        }

        if (!_services.TryPick(name, out string? serviceName, out PeerSession? server, out ServiceStats? stats))
        {
            string? error = Subject.Validate(name, SubjectKind.Service);
            Fail(requester, rid, error is null ? ErrorCode.NoResponders : ErrorCode.InvalidSubject, error ?? $"no peer serves '{name}'", now);
            return;
        }

        uint credit = (uint)Math.Min(window, (ulong)options.MaxFlowWindow);
        var pending = new PendingRequest(++_lastBrokerId, requester, rid, server, serviceName, stats, now + budget, budget, credit);
        stats.Started();
        _pending.Add(pending.BrokerId, pending);
        EnqueueDeadline(pending);
        server.HeldRequests.Add(pending.BrokerId);
        requester.MadeRequests.Add(pending.BrokerId, pending);
        requester.RequestsByRid[rid] = pending;
        counters.RequestsRouted++;

        MessagePackWriter w = writer.Begin(server);
        CommandWriter.WriteRequest(ref w, pending.BrokerId, ask.Service.Span, (uint)Math.Min(budget, uint.MaxValue), ask.Headers.Span, ask.Payload.Span, credit);
        writer.End(server, ref w, now);
    }

    public void Reply(PeerSession server, ref CommandReader reader, long now)
    {
        ulong brokerId = reader.ReadUInt();
        ulong status = reader.ReadUInt();
        ReadOnlyMemory<byte>? error = reader.ReadUtf8OrNil(ProtocolLimits.MaxHeaderBytes);
        ReadOnlyMemory<byte> headers = reader.ReadHeadersRaw();
        ReadOnlyMemory<byte> payload = reader.ReadBinary();
        reader.EndCommand();

        // A peer may answer only what it was handed: this is what stops one peer answering for another.
        if (!_pending.TryGetValue(brokerId, out PendingRequest? pending) || pending.Server != server)
        {
            writer.Refuse(server, brokerId, ErrorCode.UnknownRequest, $"this peer holds no request {brokerId} (never sent to it, already answered, or expired)", now);
            return;
        }

        ErrorCode code = status > ushort.MaxValue ? ErrorCode.Malformed : (ErrorCode)status;
        if (status > ushort.MaxValue || code is not (ErrorCode.None or ErrorCode.RemoteError or ErrorCode.Overloaded))
        {
            writer.Refuse(server, brokerId, ErrorCode.Malformed, $"a reply's status must be 0, {(int)ErrorCode.RemoteError} or {(int)ErrorCode.Overloaded}, not {status}", now);
            return;
        }

        if (payload.Length > options.MaxPayloadBytes)
        {
            writer.Refuse(server, brokerId, ErrorCode.TooLarge, $"reply payload of {payload.Length} bytes exceeds the broker's limit of {options.MaxPayloadBytes}", now);
            Complete(pending, ErrorCode.RemoteError, "the reply was larger than the broker accepts"u8, now);
            return;
        }

        Forget(pending, code);
        counters.RepliesRouted++;
        if (pending.Abandoned)
        {
            return;
        }

        if (pending.Gather is { } gather)
        {
            Gathered(gather, pending, code, error.HasValue ? error.Value.Span : default, headers.Span, payload.Span, now);
            return;
        }

        MessagePackWriter w = writer.Begin(pending.Requester);
        CommandWriter.WriteReply(ref w, pending.RequesterId, code, error.HasValue ? error.Value.Span : default, headers.Span, payload.Span);
        writer.End(pending.Requester, ref w, now);
    }

    /// <summary>Answers every request whose deadline has passed with a timeout, and tells its server to stop.</summary>
    public void ExpireDeadlines(long now)
    {
        while (_deadlines.TryPeek(out ulong brokerId, out long deadline) && deadline <= now)
        {
            _deadlines.Dequeue();
            if (!_pending.TryGetValue(brokerId, out PendingRequest? pending))
            {
                continue;
            }

            if (pending.Deadline > now)
            {
                // A stream that moved since: its deadline went on without a queue entry per part.
                _deadlines.Enqueue(brokerId, pending.Deadline);
                continue;
            }

            if (pending.Gather is { } gather && !pending.Abandoned)
            {
                // One deadline for all its servers: the first to expire ends the scatter-gather.
                EndGather(gather, ErrorCode.Timeout, Encoding.UTF8.GetBytes($"{gather.Servers - gather.Open.Count} of {gather.Servers} servers of '{gather.Service}' answered in time"), now);
                Forget(pending, ErrorCode.Timeout);
                continue;
            }

            if (!pending.Abandoned)
            {
                Abort(pending, "the request's deadline passed", now);
            }

            Complete(pending, ErrorCode.Timeout, Encoding.UTF8.GetBytes($"no reply from '{pending.Service}' in time"), now);
        }
    }

    /// <summary>The peer's permissions changed: services it may no longer serve go (requests it holds stay its to answer).</summary>
    public void Revoke(PeerSession peer, long now)
    {
        foreach (string service in peer.Services.ToArray())
        {
            if (peer.Permissions?.CanServe(service) == false)
            {
                peer.Services.Remove(service);
                _services.Remove(service, peer);
                MessagePackWriter w = writer.Begin(peer);
                CommandWriter.WriteRevoked(ref w, 0, service, $"serve '{service}' is no longer allowed for identity '{peer.Identity!.Name}'");
                writer.End(peer, ref w, now);
            }
        }
    }

    /// <summary>A peer is gone: it serves nothing any more, and whoever waits on it learns so now.</summary>
    public void PeerClosed(PeerSession peer, long now)
    {
        foreach (string service in peer.Services)
        {
            _services.Remove(service, peer);
        }

        peer.Services.Clear();
        foreach (ulong brokerId in peer.HeldRequests.ToArray())
        {
            PendingRequest pending = _pending[brokerId];
            Complete(pending, ErrorCode.ResponderLost, Encoding.UTF8.GetBytes($"peer '{peer.Name}' serving '{pending.Service}' went away before replying"), now);
        }

        // Nobody waits for the requests this peer made any more: their servers may stop working on them.
        foreach (PendingRequest pending in peer.MadeRequests.Values.ToArray())
        {
            Abandon(pending, "the requester went away", now);
        }

        peer.GathersByRid.Clear();
    }

    private void Complete(PendingRequest pending, ErrorCode code, ReadOnlySpan<byte> message, long now)
    {
        Forget(pending, code);
        if (pending.Abandoned)
        {
            return;
        }

        if (pending.Gather is { } gather)
        {
            Gathered(gather, pending, code, message, default, default, now);
            return;
        }

        MessagePackWriter w = writer.Begin(pending.Requester);
        CommandWriter.WriteReply(ref w, pending.RequesterId, code, message, default, default);
        writer.End(pending.Requester, ref w, now);
    }

    /// <summary>The request is over, ended by <paramref name="code"/> (the server's status or the broker's own answer).</summary>
    private void Forget(PendingRequest pending, ErrorCode code)
    {
        _pending.Remove(pending.BrokerId);
        pending.Server.HeldRequests.Remove(pending.BrokerId);
        ForgetRequester(pending);

        RequestOutcome outcome = pending.Abandoned ? RequestOutcome.Cancelled : code switch
        {
            ErrorCode.None => RequestOutcome.Replied,
            ErrorCode.Timeout => RequestOutcome.Timeout,
            ErrorCode.ResponderLost => RequestOutcome.Lost,
            _ => RequestOutcome.Error,
        };
        TimeSpan elapsed = Stopwatch.GetElapsedTime(pending.Started);
        pending.Stats.Ended(outcome, elapsed);
        metrics?.RequestEnded(pending.Service, outcome, elapsed.TotalSeconds);
    }

    private static void ForgetRequester(PendingRequest pending)
    {
        pending.Requester.MadeRequests.Remove(pending.BrokerId);
        if (pending.Requester.RequestsByRid.TryGetValue(pending.RequesterId, out PendingRequest? byRid) && byRid == pending)
        {
            pending.Requester.RequestsByRid.Remove(pending.RequesterId);
        }
    }

    /// <summary>
    /// The requester stopped waiting: it no longer counts the request as open, and the server is told to stop. The
    /// request stays until the server's REP or its deadline, so a REP that crossed the ABORT is no error.
    /// </summary>
    private void Abandon(PendingRequest pending, string reason, long now)
    {
        ForgetRequester(pending);
        pending.Abandoned = true;
        Abort(pending, reason, now);
    }

    /// <summary>Tells the server of a request that is over for its requester to stop working on it.</summary>
    private void Abort(PendingRequest pending, string reason, long now)
    {
        MessagePackWriter w = writer.Begin(pending.Server);
        CommandWriter.WriteAbort(ref w, pending.BrokerId, reason);
        writer.End(pending.Server, ref w, now);
    }

    private void EnqueueDeadline(PendingRequest pending)
    {
        // Answered requests leave their deadline behind; under a high request rate those would pile up for a
        // whole request timeout, so the queue is rebuilt from the open requests once it is mostly stale.
        if (_deadlines.Count >= 1024 && _deadlines.Count > 4 * _pending.Count)
        {
            _deadlines.Clear();
            foreach (PendingRequest open in _pending.Values)
            {
                _deadlines.Enqueue(open.BrokerId, open.Deadline);
            }
        }
        else
        {
            _deadlines.Enqueue(pending.BrokerId, pending.Deadline);
        }
    }
}
