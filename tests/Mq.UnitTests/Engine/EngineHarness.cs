using Microsoft.Extensions.Logging.Abstractions;
using Mq.Broker.Server;
using Mq.Broker.Sessions;
using Mq.Protocol;
using Mq.Security;

namespace Mq.UnitTests.Engine;

/// <summary>
/// A <see cref="BrokerEngine"/> with no sockets and a clock of its own: frames go in by connection key, and every
/// frame the engine sends is recorded as (session, bytes) and split into commands, read back per connection in order.
/// With a broker key, <see cref="Secure"/> plays a peer's end of the secure channel: frames in are sealed, frames out opened.
/// </summary>
internal sealed class EngineHarness : IFrameSink
{
    private readonly Dictionary<uint, Queue<(CommandCode Code, byte[] Frame, int Index)>> _inboxes = [];
    private readonly Dictionary<uint, SecureChannel> _channels = [];
    private readonly HashSet<uint> _connected = [];

    public EngineHarness(BrokerOptions? options = null)
    {
        Options = options ?? new BrokerOptions();
        if (Options.PolicyFile is not null && !Options.Curve.Enabled)
        {
            // A policy needs the broker key, as BrokerOptions.Validate insists.
            Options.Curve = new BrokerCurveOptions { SecretKey = new NetMQ.NetMQCertificate().SecretKeyZ85 };
        }

        BrokerPublicKey = Options.Curve.LoadCertificate()?.PublicKey;
        Engine = new BrokerEngine(Options, this, NullLogger.Instance);
    }

    /// <summary>The broker key's public half, when the broker has one.</summary>
    public byte[]? BrokerPublicKey { get; }

    public BrokerOptions Options { get; }

    public BrokerEngine Engine { get; }

    /// <summary>Milliseconds of the fake monotonic clock passed to the engine.</summary>
    public long Now { get; set; } = 1_000;

    /// <summary>What the sink answers; anything but Sent records nothing, as a full or gone peer queue would.</summary>
    public SendOutcome Outcome { get; set; } = SendOutcome.Sent;

    /// <summary>Connections whose queue is full whatever <see cref="Outcome"/> says: one slow peer among healthy ones.</summary>
    public HashSet<uint> FullQueues { get; } = [];

    /// <summary>Every frame the engine sent, in order.</summary>
    public List<(PeerSession Session, byte[] Frame)> Sent { get; } = [];

    /// <summary>Connections the engine closed, in order.</summary>
    public List<uint> Closed { get; } = [];

    /// <summary>Connections the engine reported Ready to the transport, in order.</summary>
    public List<uint> Established { get; } = [];

    public SendOutcome Send(PeerSession session, ReadOnlySpan<byte> frame)
    {
        if (Outcome != SendOutcome.Sent)
        {
            return Outcome;
        }

        if (FullQueues.Contains(session.Key))
        {
            return SendOutcome.QueueFull;
        }

        byte[] copy = frame.ToArray();
        if (_channels.TryGetValue(session.Key, out SecureChannel? channel))
        {
            byte[] sealedFrame = copy;
            copy = new byte[sealedFrame.Length - ChannelCipher.TagBytes];
            Assert.True(channel.Receive.TryOpen(sealedFrame, copy), "a frame from the broker did not decrypt");
        }

        Sent.Add((session, copy));
        var reader = new CommandReader(copy);
        for (int index = 0; !reader.End; index++)
        {
            Inbox(session.Key).Enqueue((reader.ReadCommand(), copy, index));
            reader.SkipCommand();
        }

        return SendOutcome.Sent;
    }

    void IFrameSink.Established(PeerSession session) => Established.Add(session.Key);

    /// <summary>What each connection would hold unsent, by key, as the transport reports it.</summary>
    public Dictionary<uint, long> TransportQueued { get; } = [];

    long IFrameSink.Queued(PeerSession session) => TransportQueued.GetValueOrDefault(session.Key);

    void IFrameSink.Close(PeerSession session)
    {
        Closed.Add(session.Key);
        _connected.Remove(session.Key);
        _channels.Remove(session.Key);
    }

    /// <summary>The transport's report of a new connection (its ZMTP handshake done), accepted at the current time.</summary>
    public void Open(uint key, string source = "127.0.0.1")
    {
        _connected.Add(key);
        Engine.OnConnected(key, source, Now, Now);
    }

    /// <summary>Feeds one frame from connection <paramref name="key"/> (sealed if its channel is up), then flushes what the engine wrote.</summary>
    public void From(uint key, byte[] frame)
    {
        if (_channels.TryGetValue(key, out SecureChannel? channel))
        {
            frame = Seal(channel, frame);
        }

        FromRaw(key, frame);
    }

    /// <summary>
    /// Feeds bytes exactly as given: plaintext before a channel, or a tampered, replayed or reordered sealed frame.
    /// A key that is not open (new, or closed by either side) is opened first: a new connection that happens to
    /// reuse the number.
    /// </summary>
    public void FromRaw(uint key, byte[] frame)
    {
        if (!_connected.Contains(key))
        {
            Open(key);
        }

        Engine.OnFrame(key, frame, Now);
        Engine.Flush(Now);
    }

    /// <summary>Seals <paramref name="frame"/> for connection <paramref name="key"/>'s channel without sending it.</summary>
    public byte[] SealFor(uint key, byte[] frame) => Seal(_channels[key], frame);

    /// <summary>Runs the secure channel's handshake on connection <paramref name="key"/> as a peer pinning <paramref name="brokerPublicKey"/>; returns the handshake hash.</summary>
    public byte[] Secure(uint key, byte[] brokerPublicKey)
    {
        using NoiseHandshake handshake = NoiseHandshake.Initiator(brokerPublicKey, Engine.ConnectedFrame);
        FromRaw(key, Frames.Build((ref MessagePack.MessagePackWriter w) => CommandWriter.WriteSecure(ref w, handshake.WriteMessage1())));
        SecureChannel channel = handshake.ReadMessage2(Expect(key, CommandCode.Secure).ReadBinary().Span)
            ?? throw new InvalidOperationException("the broker's SECURE answer did not complete the handshake");
        _channels[key] = channel;
        return channel.HandshakeHash;
    }

    private static byte[] Seal(SecureChannel channel, byte[] frame)
    {
        byte[] sealedFrame = new byte[frame.Length + ChannelCipher.TagBytes];
        channel.Send.Seal(frame, sealedFrame);
        channel.Send.Advance();
        return sealedFrame;
    }

    /// <summary>Advances the clock, runs the engine's periodic work and flushes.</summary>
    public void Tick(long advanceMs)
    {
        Now += advanceMs;
        Engine.OnTick(Now);
        Engine.Flush(Now);
    }

    public void Disconnect(uint key)
    {
        _connected.Remove(key);
        _channels.Remove(key);
        Engine.OnDisconnected(key, Now);
        Engine.Flush(Now);
    }

    /// <summary>A connection that has completed the handshake, with its WELCOME consumed; returns its peer id.</summary>
    public string Connect(uint key, string name = "peer")
    {
        From(key, Frames.Hello(name));
        CommandReader welcome = Expect(key, CommandCode.Welcome);
        welcome.ReadUInt();
        return welcome.ReadString(ProtocolLimits.MaxNameBytes);
    }

    /// <summary>A connection that has proven <paramref name="identity"/> with <paramref name="key"/> (security on), with its WELCOME consumed.</summary>
    public void Authenticate(uint key, string identity, System.Security.Cryptography.ECDsa identityKey)
    {
        byte[] nonce = Challenge(key);
        From(key, Frames.Auth(identity, Proof(key, identityKey, nonce, identity)));
        Expect(key, CommandCode.Welcome);
    }

    /// <summary>HELLO on connection <paramref name="key"/>, inside a secure channel opened first if it has none; returns the CHALLENGE's nonce.</summary>
    public byte[] Challenge(uint key)
    {
        if (!_channels.ContainsKey(key))
        {
            Secure(key, BrokerPublicKey ?? throw new InvalidOperationException("the broker has no key, so no policy"));
        }

        From(key, Frames.Hello($"peer-{key}"));
        return Expect(key, CommandCode.Challenge).ReadBinary().ToArray();
    }

    /// <summary>The signature connection <paramref name="key"/> sends to claim <paramref name="identity"/>: bound to its channel's hash.</summary>
    public byte[] Proof(uint key, System.Security.Cryptography.ECDsa identityKey, byte[] nonce, string identity) =>
        IdentityProof.Sign(identityKey, _channels[key].HandshakeHash, nonce, identity);

    /// <summary>Sends SUB with ref <c>100 + sid</c> and checks the OK echoes it.</summary>
    public void Subscribe(uint key, ulong sid, string pattern, string? group = null)
    {
        From(key, Frames.Sub(100 + sid, sid, pattern, group));
        Assert.Equal(100 + sid, Expect(key, CommandCode.Ok).ReadUInt());
    }

    /// <summary>A broker with a requester on connection 1 and one server of <paramref name="service"/> per name on connections 2, 3...; returns the servers' peer ids.</summary>
    public static (EngineHarness Broker, string[] Servers) WithServers(BrokerOptions options, string service, params string[] servers)
    {
        var broker = new EngineHarness(options);
        broker.Connect(1, "requester");
        string[] peerIds = [.. servers.Select((name, i) => broker.Connect((uint)(i + 2), name))];
        for (int i = 0; i < servers.Length; i++)
        {
            broker.Serve((uint)(i + 2), service);
        }

        return (broker, peerIds);
    }

    public void Serve(uint key, string service)
    {
        From(key, Frames.Serve(7, service));
        Assert.Equal(7UL, Expect(key, CommandCode.Ok).ReadUInt());
    }

    /// <summary>The next command sent to <paramref name="key"/>, which must have code <paramref name="code"/>; its reader starts after the code.</summary>
    public CommandReader Expect(uint key, CommandCode code)
    {
        Assert.True(Inbox(key).TryDequeue(out var next), $"nothing was sent to connection {key}; expected {code}");
        Assert.Equal(code, next.Code);
        var reader = new CommandReader(next.Frame);
        for (int i = 0; i < next.Index; i++)
        {
            reader.ReadCommand();
            reader.SkipCommand();
        }

        reader.ReadCommand();
        return reader;
    }

    public Refusal ExpectError(uint key) => ExpectErrorNaming(key).Refusal;

    /// <summary>An ERROR and the command it names (its fifth field).</summary>
    public (Refusal Refusal, CommandCode Command) ExpectErrorNaming(uint key)
    {
        CommandReader reader = Expect(key, CommandCode.Error);
        var refusal = new Refusal(reader.ReadUInt(), (ErrorCode)reader.ReadUInt(), reader.ReadString(4096));
        var command = (CommandCode)reader.ReadUInt();
        reader.EndCommand();
        return (refusal, command);
    }

    public Delivery ExpectMsg(uint key)
    {
        CommandReader reader = Expect(key, CommandCode.Msg);
        var delivery = new Delivery(reader.ReadUInt(), reader.ReadUInt(), reader.ReadString(ProtocolLimits.MaxSubjectBytes),
            Frames.DecodeHeaders(reader.ReadHeadersRaw()), reader.ReadBinary().ToArray());
        reader.EndCommand();
        return delivery;
    }

    public Handed ExpectRequest(uint key)
    {
        CommandReader reader = Expect(key, CommandCode.Request);
        var request = new Handed(reader.ReadUInt(), reader.ReadString(ProtocolLimits.MaxSubjectBytes), reader.ReadUInt(),
            Frames.DecodeHeaders(reader.ReadHeadersRaw()), reader.ReadBinary().ToArray());
        reader.EndCommand();
        return request;
    }

    /// <summary>A REQUEST for a streamed reply: its bid and the window (credit) in force, its trailing field.</summary>
    public (ulong Bid, ulong Window) ExpectStreamRequest(uint key)
    {
        CommandReader reader = Expect(key, CommandCode.Request);
        ulong bid = reader.ReadUInt();
        reader.ReadString(ProtocolLimits.MaxSubjectBytes);
        reader.ReadUInt();
        reader.ReadHeadersRaw();
        reader.ReadBinary();
        ulong window = reader.ReadUInt();
        reader.EndCommand();
        return (bid, window);
    }

    /// <summary>A REPLYPART for <paramref name="rid"/>: its payload.</summary>
    public byte[] ExpectPart(uint key, ulong rid)
    {
        CommandReader reader = Expect(key, CommandCode.ReplyPart);
        Assert.Equal(rid, reader.ReadUInt());
        reader.ReadHeadersRaw();
        byte[] payload = reader.ReadBinary().ToArray();
        reader.EndCommand();
        return payload;
    }

    /// <summary>A GRANTED for <paramref name="bid"/>: the parts added to the server's credit.</summary>
    public ulong ExpectGranted(uint key, ulong bid)
    {
        CommandReader reader = Expect(key, CommandCode.Granted);
        Assert.Equal(bid, reader.ReadUInt());
        ulong count = reader.ReadUInt();
        reader.EndCommand();
        return count;
    }

    /// <summary>A GATHERED for <paramref name="rid"/>: the server's status, payload and peer id.</summary>
    public (ErrorCode Status, byte[] Payload, string Responder) ExpectGathered(uint key, ulong rid)
    {
        CommandReader reader = Expect(key, CommandCode.Gathered);
        Assert.Equal(rid, reader.ReadUInt());
        var status = (ErrorCode)reader.ReadUInt();
        reader.ReadStringOrNil(4096);
        reader.ReadHeadersRaw();
        (ErrorCode, byte[], string) gathered = (status, reader.ReadBinary().ToArray(), reader.ReadString(ProtocolLimits.MaxSubjectBytes));
        reader.EndCommand();
        return gathered;
    }

    /// <summary>An ABORT: the bid of the request the server should stop working on, and why.</summary>
    public (ulong Bid, string Reason) ExpectAbort(uint key)
    {
        CommandReader reader = Expect(key, CommandCode.Abort);
        (ulong, string) abort = (reader.ReadUInt(), reader.ReadString(4096));
        reader.EndCommand();
        return abort;
    }

    public Answer ExpectReply(uint key, ulong rid)
    {
        CommandReader reader = Expect(key, CommandCode.Reply);
        Assert.Equal(rid, reader.ReadUInt());
        var answer = new Answer((ErrorCode)reader.ReadUInt(), reader.ReadStringOrNil(4096),
            Frames.DecodeHeaders(reader.ReadHeadersRaw()), reader.ReadBinary().ToArray());
        reader.EndCommand();
        return answer;
    }

    public bool Idle(uint key) => Inbox(key).Count == 0;

    /// <summary>Consumes the HEARTBEATs at the head of what was sent to <paramref name="key"/>; returns how many.</summary>
    public int SkipHeartbeats(uint key)
    {
        int skipped = 0;
        while (Inbox(key).TryPeek(out var next) && next.Code == CommandCode.Heartbeat)
        {
            Inbox(key).Dequeue();
            skipped++;
        }

        return skipped;
    }

    public IEnumerable<CommandCode> Pending(uint key) => Inbox(key).Select(c => c.Code);

    private Queue<(CommandCode Code, byte[] Frame, int Index)> Inbox(uint key)
    {
        if (!_inboxes.TryGetValue(key, out var inbox))
        {
            inbox = new Queue<(CommandCode, byte[], int)>();
            _inboxes[key] = inbox;
        }

        return inbox;
    }

    /// <summary>An ERROR: its ref, code and message.</summary>
    public readonly record struct Refusal(ulong Ref, ErrorCode Code, string Message);

    /// <summary>A MSG, every field.</summary>
    public readonly record struct Delivery(ulong Sid, ulong Seq, string Subject, IReadOnlyDictionary<string, string>? Headers, byte[] Payload);

    /// <summary>A REQUEST handed to a server, every field.</summary>
    public readonly record struct Handed(ulong Bid, string Service, ulong TimeoutMs, IReadOnlyDictionary<string, string>? Headers, byte[] Payload);

    /// <summary>A REPLY's fields after its rid.</summary>
    public readonly record struct Answer(ErrorCode Status, string? Error, IReadOnlyDictionary<string, string>? Headers, byte[] Payload);
}
