using System.ComponentModel.DataAnnotations;
using Mq.Protocol;

namespace Mq.Broker.Server;

/// <summary>Broker settings, bound from the "Broker" configuration section and validated at start.</summary>
public sealed class BrokerOptions
{
    public const string SectionName = "Broker";

    /// <summary>
    /// Where the broker listens: <c>tcp://host:port</c> or <c>unix:///absolute/path.sock</c>. A port of 0 (or
    /// <c>*</c>) binds a free port; read the result from <see cref="BrokerServer.Endpoint"/>.
    /// </summary>
    [Required]
    public string Endpoint { get; set; } = "tcp://127.0.0.1:5555";

    /// <summary>
    /// More endpoints to listen on besides <see cref="Endpoint"/>, in the same forms (TCP for remote peers, a Unix
    /// socket for local ones, say). <see cref="BrokerServer.Endpoints"/> lists them all once bound.
    /// </summary>
    public string[] Endpoints { get; set; } = [];

    /// <summary>The mode of each Unix socket file, octal: who may connect (the owner only by default).</summary>
    public string UnixSocketMode { get; set; } = "0600";

    /// <summary>The group each Unix socket file is given (a name or a gid), for a mode that lets a group connect; none by default.</summary>
    public string? UnixSocketGroup { get; set; }

    /// <summary>The broker's name in CONNECTED and in logs.</summary>
    [Required]
    [StringLength(ProtocolLimits.MaxNameBytes, MinimumLength = 1)]
    public string Name { get; set; } = "mq-broker";

    /// <summary>Largest payload accepted; announced to peers in WELCOME.</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public int MaxPayloadBytes { get; set; } = ProtocolLimits.DefaultMaxPayloadBytes;

    /// <summary>Each side sends a HEARTBEAT after this long without sending anything else.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A peer silent for this long is forgotten: subscriptions, services, and requests it held (those fail with "responder lost").</summary>
    [Range(typeof(TimeSpan), "00:00:00.150", "01:00:00")]
    public TimeSpan PeerTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Upper bound on any request's deadline; longer timeouts are cut to this.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan MaxRequestTimeout { get; set; } = TimeSpan.FromMinutes(5);

    [Range(1, 1_000_000)]
    public int MaxSubscriptionsPerPeer { get; set; } = 10_000;

    /// <summary>
    /// What one connection's subscriptions may cost in the broker, in bytes: each counts
    /// <see cref="Budgets.SubscriptionOverheadBytes"/> plus four times its pattern's and queue group's UTF-8 bytes.
    /// </summary>
    [Range(4 * 1024, 1024L * 1024 * 1024)]
    public int MaxSubscriptionBytesPerPeer { get; set; } = 16 * 1024 * 1024;

    /// <summary>Sessions one identity may have at once (security on; without a policy each connection is its own identity).</summary>
    [Range(1, 100_000)]
    public int MaxConnectionsPerIdentity { get; set; } = 64;

    /// <summary>Subscriptions one identity may hold across all its connections.</summary>
    [Range(1, 10_000_000)]
    public int MaxSubscriptionsPerIdentity { get; set; } = 50_000;

    /// <summary>What one identity's subscriptions may cost across all its connections, counted as for <see cref="MaxSubscriptionBytesPerPeer"/>.</summary>
    [Range(4 * 1024, 16L * 1024 * 1024 * 1024)]
    public long MaxSubscriptionBytesPerIdentity { get; set; } = 32L * 1024 * 1024;

    /// <summary>What all subscriptions in the broker may cost, counted as for <see cref="MaxSubscriptionBytesPerPeer"/>.</summary>
    [Range(4 * 1024, 64L * 1024 * 1024 * 1024)]
    public long MaxSubscriptionBytesTotal { get; set; } = 128L * 1024 * 1024;

    [Range(1, 100_000)]
    public int MaxServicesPerPeer { get; set; } = 1_000;

    /// <summary>Requests one peer may have waiting for replies at once.</summary>
    [Range(1, 1_000_000)]
    public int MaxOpenRequestsPerPeer { get; set; } = 10_000;

    /// <summary>
    /// Bytes queued towards one connection before further frames to it are refused: its deliveries are then dropped
    /// (counted, and reported with DROPPED), other commands wait in its backlog. A single larger frame still passes
    /// when nothing else is queued.
    /// </summary>
    [Range(64 * 1024, 1024 * 1024 * 1024)]
    public int SendQueueBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Bytes read from one connection that the broker thread has not processed yet, beyond which the broker stops
    /// reading from it (TCP pushes back).
    /// </summary>
    [Range(64 * 1024, 1024 * 1024 * 1024)]
    public int ReceiveQueueBytes { get; set; } = 1024 * 1024;

    /// <summary>From accept until the session is Ready (WELCOME sent); a connection that takes longer is closed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Connections in their handshake at once, broker-wide; further connections are closed at accept.</summary>
    [Range(1, 1_000_000)]
    public int MaxPendingHandshakes { get; set; } = 1024;

    /// <summary>Connections in their handshake at once from one remote address; further ones from it are closed at accept.</summary>
    [Range(1, 1_000_000)]
    public int MaxPendingHandshakesPerSource { get; set; } = 64;

    /// <summary>
    /// Open connections from one remote address. High by default: every local peer of a machine shares one address.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxConnectionsPerSource { get; set; } = 1024;

    /// <summary>
    /// Open connections in all. With the byte-bounded queues it bounds what connections make the broker hold:
    /// at most MaxConnections × (SendQueueBytes + ReceiveQueueBytes).
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxConnections { get; set; } = 4096;

    /// <summary>
    /// Bytes of commands that cannot be dropped (replies, requests, confirmations) kept for a peer whose queue is
    /// full. A peer that lets more pile up is disconnected, so one stuck peer cannot grow the broker's memory.
    /// </summary>
    [Range(64 * 1024, 1024L * 1024 * 1024)]
    public int MaxBacklogBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Bytes of PUB commands a peer may send ahead of the broker's CREDIT. Bounds what a publisher can add to the
    /// wait of a flow-controlled subscriber that has fallen behind, and so the broker's memory for it.
    /// </summary>
    [Range(16 * 1024, 1024L * 1024 * 1024)]
    public int PublisherCreditBytes { get; set; } = 1024 * 1024;

    /// <summary>Largest window (unacknowledged deliveries) a flow-controlled subscription may ask for; larger asks are cut to it.</summary>
    [Range(1, 1_000_000)]
    public int MaxFlowWindow { get; set; } = 65_536;

    /// <summary>
    /// How long a flow-controlled subscription may hold its publishers back (deliveries waiting for it while a
    /// publisher's credit is withheld) before it is cut off as a slow consumer: what waited is dropped and
    /// reported, the subscription is revoked, and the publishers go on.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan MaxFlowStall { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Bytes of deliveries that may wait for one flow-controlled subscription; past it the subscription is cut off.</summary>
    [Range(64 * 1024, 1024L * 1024 * 1024)]
    public int MaxFlowWaitBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>Bytes of deliveries that may wait for all the flow-controlled subscriptions of one connection.</summary>
    [Range(64 * 1024, 1024L * 1024 * 1024)]
    public int MaxFlowWaitBytesPerPeer { get; set; } = 16 * 1024 * 1024;

    /// <summary>
    /// Bytes of deliveries that may wait for flow-controlled subscriptions in the whole broker; past it the
    /// subscription with the most waiting is cut off as a slow consumer.
    /// </summary>
    [Range(64 * 1024, 16L * 1024 * 1024 * 1024)]
    public long MaxFlowWaitBytesTotal { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// The security policy file (identities, their public keys and roles; see docs/security.md). When set, every
    /// peer must prove an identity in the handshake and may do only what its roles allow. Edits apply to live
    /// peers within about a second.
    /// </summary>
    public string? PolicyFile { get; set; }

    /// <summary>
    /// Proofs verified per second, broker-wide, from sources that failed in the last minute; beyond it their AUTHs
    /// are refused unverified. Never applies to sources without recent failures (see docs/security.md).
    /// </summary>
    [Range(1, 100_000)]
    public int MaxAuthFailuresPerSecond { get; set; } = 20;

    /// <summary>Failed or refused AUTHs one connection may make; after that its HELLOs are refused.</summary>
    [Range(1, 1_000)]
    public int MaxAuthFailuresPerConnection { get; set; } = 3;

    /// <summary>CURVE encryption of the endpoint; off unless a secret key is given.</summary>
    public BrokerCurveOptions Curve { get; set; } = new();

    /// <summary>The HTTP monitoring endpoint (health, metrics, JSON, dashboard); off unless its address is set.</summary>
    public BrokerMonitoringOptions Monitoring { get; set; } = new();

    /// <summary>Broker discovery over UDP for peers started with the endpoint <c>auto</c>; off unless its address is set.</summary>
    public Discovery.BrokerDiscoveryOptions Discovery { get; set; } = new();

    /// <summary>Where file streams keep their segments and the streams created at run time their settings; none: no file streams.</summary>
    public string? StoreDirectory { get; set; }

    /// <summary>Durable streams by name (<c>Broker:Streams:orders:Subjects:0 = orders.&gt;</c>), opened at start (docs/persistence.md).</summary>
    public Dictionary<string, Streams.BrokerStreamOptions> Streams { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Cross-field rules that attributes cannot express.</summary>
    public IEnumerable<string> Validate()
    {
        var context = new ValidationContext(this);
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(this, context, results, validateAllProperties: true);
        foreach (ValidationResult result in results)
        {
            yield return result.ErrorMessage ?? "invalid broker option";
        }

        IReadOnlyList<Transport.ListenEndpoint>? endpoints = Transport.ListenEndpoint.ParseAll([Endpoint, .. Endpoints ?? []], out string? endpointProblem);
        if (endpointProblem is not null)
        {
            yield return endpointProblem;
        }

        if (UnixSocketMode is not { Length: 3 or 4 } mode || !mode.All(c => c is >= '0' and <= '7') || Convert.ToInt32(mode, 8) > 511 /* 0777 */)
        {
            yield return $"UnixSocketMode '{UnixSocketMode}' must be an octal file mode such as 0600 or 0660 (permission bits only)";
        }

        if (PolicyFile is not null)
        {
            string? problem = null;
            try
            {
                Security.SecurityPolicy.Load(PolicyFile);
            }
            catch (InvalidDataException ex)
            {
                problem = ex.Message;
            }

            if (problem is not null)
            {
                yield return problem;
            }
        }

        if (PeerTimeout < HeartbeatInterval * 2)
        {
            yield return $"PeerTimeout ({PeerTimeout}) must be at least twice HeartbeatInterval ({HeartbeatInterval})";
        }

        if (MaxFlowWaitBytesPerPeer < MaxFlowWaitBytes)
        {
            yield return $"MaxFlowWaitBytesPerPeer ({MaxFlowWaitBytesPerPeer}) must be at least MaxFlowWaitBytes ({MaxFlowWaitBytes})";
        }

        if (MaxSubscriptionBytesPerIdentity < MaxSubscriptionBytesPerPeer || MaxSubscriptionBytesTotal < MaxSubscriptionBytesPerIdentity)
        {
            yield return $"subscription budgets must grow from connection to identity to broker: MaxSubscriptionBytesPerPeer ({MaxSubscriptionBytesPerPeer}) <= MaxSubscriptionBytesPerIdentity ({MaxSubscriptionBytesPerIdentity}) <= MaxSubscriptionBytesTotal ({MaxSubscriptionBytesTotal})";
        }

        if (MaxFlowWaitBytesTotal < MaxFlowWaitBytesPerPeer)
        {
            yield return $"MaxFlowWaitBytesTotal ({MaxFlowWaitBytesTotal}) must be at least MaxFlowWaitBytesPerPeer ({MaxFlowWaitBytesPerPeer})";
        }

        if (MaxConnectionsPerSource > MaxConnections || MaxPendingHandshakes > MaxConnections)
        {
            yield return $"MaxConnectionsPerSource ({MaxConnectionsPerSource}) and MaxPendingHandshakes ({MaxPendingHandshakes}) must not exceed MaxConnections ({MaxConnections})";
        }

        if (MaxPendingHandshakesPerSource > MaxPendingHandshakes)
        {
            yield return $"MaxPendingHandshakesPerSource ({MaxPendingHandshakesPerSource}) must not exceed MaxPendingHandshakes ({MaxPendingHandshakes})";
        }

        if (Monitoring?.Problem() is { } monitoringProblem)
        {
            yield return monitoringProblem;
        }

        if (Discovery?.Problem() is { } discoveryProblem)
        {
            yield return discoveryProblem;
        }
        else if (Discovery is { Enabled: true, Announce: null } && !new[] { Endpoint }.Concat(Endpoints ?? []).Any(e => e?.StartsWith("tcp://", StringComparison.Ordinal) == true))
        {
            yield return "Broker:Discovery answers peers on the network, which reach the broker over TCP: give it a tcp:// endpoint, or set Broker:Discovery:Announce";
        }

        foreach (string streamProblem in global::Mq.Broker.Streams.StreamHost.Problems(this))
        {
            yield return streamProblem;
        }

        if (Curve?.Problem() is { } curveProblem)
        {
            yield return curveProblem;
        }
        else if (PolicyFile is not null && Curve?.Enabled != true && endpoints?.Any(e => !e.IsUnix) != false)
        {
            // On a Unix socket the kernel's credentials authenticate, so a broker with only such endpoints needs no key.
            yield return "PolicyFile needs the broker key (Broker:Curve:SecretKeyFile or SecretKey) when a TCP endpoint is open: without the secure channel a relay can pass a peer's proof off as its own";
        }
    }
}
