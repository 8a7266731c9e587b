using System.ComponentModel.DataAnnotations;
using Mq.Protocol;

namespace Mq.Broker.Server;

/// <summary>Broker settings, bound from the "Broker" configuration section and validated at start.</summary>
public sealed class BrokerOptions
{
    public const string SectionName = "Broker";

    /// <summary>
    /// Where the broker listens. A port of 0 (or <c>*</c>) binds a free port; read the result from
    /// <see cref="BrokerServer.Endpoint"/>.
    /// </summary>
    [Required]
    [RegularExpression(@"^tcp://[^\s:]+:(\d{1,5}|\*)$", ErrorMessage = "Endpoint must look like tcp://127.0.0.1:5555")]
    public string Endpoint { get; set; } = "tcp://127.0.0.1:5555";

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
    /// The security policy file (identities, their public keys and roles; see docs/security.md). When set, every
    /// peer must prove an identity in the handshake and may do only what its roles allow. Edits apply to live
    /// peers within about a second.
    /// </summary>
    public string? PolicyFile { get; set; }

    /// <summary>Failed authentications per second, broker-wide, before handshakes are refused outright for the rest of that second.</summary>
    [Range(1, 100_000)]
    public int MaxAuthFailuresPerSecond { get; set; } = 20;

    /// <summary>CURVE encryption of the endpoint; off unless a secret key is given.</summary>
    public BrokerCurveOptions Curve { get; set; } = new();

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

        if (MaxPendingHandshakesPerSource > MaxPendingHandshakes)
        {
            yield return $"MaxPendingHandshakesPerSource ({MaxPendingHandshakesPerSource}) must not exceed MaxPendingHandshakes ({MaxPendingHandshakes})";
        }

        if (Curve?.Problem() is { } curveProblem)
        {
            yield return curveProblem;
        }
    }
}
