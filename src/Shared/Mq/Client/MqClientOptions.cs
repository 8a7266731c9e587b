using MessagePack;
using Mq.Security;
using Mq.Serialization;

namespace Mq.Client;

/// <summary>Settings of one <see cref="MqClient"/> (one connection). Immutable; change with <c>with</c>.</summary>
public sealed record MqClientOptions
{
    public static readonly MqClientOptions Default = new();

    /// <summary>The endpoint <see cref="Endpoint"/> names to find the broker by discovery over UDP.</summary>
    public const string AutoEndpoint = "auto";

    /// <summary>
    /// The broker's endpoint: <c>tcp://host:port</c>; <c>unix:///absolute/path.sock</c>, a broker's Unix socket on this
    /// machine; <c>pipe://name</c>, on Linux and macOS the Unix socket .NET's named pipe <c>name</c> uses
    /// (docs/protocol.md §1.2); or <see cref="AutoEndpoint"/> (<c>auto</c>): ask <see cref="DiscoveryAddress"/> which
    /// broker there is, and connect to the endpoint the first answer names. A Unix socket has no secure channel, so
    /// <see cref="BrokerPublicKey"/> cannot go with unix:// or pipe://.
    /// </summary>
    public string Endpoint { get; init; } = "tcp://127.0.0.1:5555";

    /// <summary>
    /// Where an <c>auto</c> endpoint's discovery probe goes, <c>host:port</c>: the local network's broadcast address
    /// by default, or one broker's discovery address (docs/protocol.md §1.3).
    /// </summary>
    public string DiscoveryAddress { get; init; } = "255.255.255.255:7445";

    /// <summary>A readable name for logs and errors; the broker assigns the real identity.</summary>
    public string Name { get; init; } = "mq-peer";

    /// <summary>How long <see cref="MqClient.ConnectAsync(MqClientOptions, Microsoft.Extensions.Logging.ILoggerFactory?, CancellationToken)"/> waits for the handshake.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Default wait for a reply, and for the broker to confirm a subscribe or serve.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Messages a subscription buffers before further ones are dropped and reported; for a flow-controlled one, the
    /// window it asks for (the broker cuts it to its <c>MaxFlowWindow</c>, 65 536 by default). As many as NATS's
    /// clients buffer by default, so that the byte bound, not the count, decides for all but tiny messages.
    /// </summary>
    public int SubscriptionCapacity { get; init; } = 524_288;

    /// <summary>
    /// Bytes (payloads and subjects) a plain subscription buffers before further messages are dropped and reported,
    /// whichever of this and <see cref="SubscriptionCapacity"/> comes first. Sized, like NATS's 64 MB of pending
    /// bytes, so that a subscriber that is briefly slower than its publishers absorbs a burst instead of losing it.
    /// </summary>
    public long SubscriptionBufferBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Bytes of commands waiting to be sent before publishers wait.</summary>
    public long OutboxCapacityBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>What publishing does when the outbox is full.</summary>
    public OutboxFullMode OutboxFullMode { get; init; } = OutboxFullMode.Wait;

    /// <summary>Largest payload this client accepts from the broker (protects the process from oversized frames).</summary>
    public int MaxPayloadBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>How long disposing waits for queued commands to leave.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>First reconnect delay; doubles (with jitter) up to <see cref="ReconnectIntervalMax"/>.</summary>
    public TimeSpan ReconnectInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan ReconnectIntervalMax { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The broker's public key (z85, as <c>Mq.Broker keygen</c> writes it). When set, every byte of Mq protocol after
    /// CONNECTED travels in Mq's secure channel to the holder of the matching secret key, and nothing is sent to or
    /// accepted from a broker that cannot prove it holds it. Null: plaintext.
    /// </summary>
    public string? BrokerPublicKey { get; init; }

    /// <summary>
    /// The identity to prove when the broker has a security policy (see docs/security.md); needs
    /// <see cref="IdentityKeyFile"/> or <see cref="IdentityKey"/>. The key never leaves this process: the client
    /// signs the broker's one-time challenge with it.
    /// </summary>
    public string? Identity { get; init; }

    /// <summary>A PEM file holding the identity's private key, as <c>Mq.Broker identity</c> writes it.</summary>
    public string? IdentityKeyFile { get; init; }

    /// <summary>The identity's private key as PEM text (instead of a file).</summary>
    public string? IdentityKey { get; init; }

    /// <summary>MessagePack's options, for MessagePack payloads; the default treats everything received as untrusted.</summary>
    public MessagePackSerializerOptions SerializerOptions { get; init; } = MqSerializer.DefaultOptions;

    /// <summary>
    /// What typed publishes, requests and replies are written with (<see cref="JsonMqSerializer"/>,
    /// <see cref="XmlMqSerializer"/>, or your own); null is MessagePack with <see cref="SerializerOptions"/>.
    /// Each payload names its format in the <c>content-type</c> header.
    /// </summary>
    public IMqSerializer? Serializer { get; init; }

    /// <summary>
    /// Serializers to read by content type beyond the built-in MessagePack, JSON and XML (and <see cref="Serializer"/>);
    /// one for a built-in type replaces it.
    /// </summary>
    public IReadOnlyList<IMqSerializer>? Serializers { get; init; }

    /// <summary>The identity's private key, or null without an identity. Thrown errors name the file, never the key.</summary>
    internal System.Security.Cryptography.ECDsa? LoadIdentityKey()
    {
        if (Identity is null)
        {
            return null;
        }

        try
        {
            return IdentityKey is not null
                ? Security.IdentityProof.LoadPrivateKey(IdentityKey, "the identity key")
                : Security.IdentityProof.LoadPrivateKeyFile(IdentityKeyFile!);
        }
        catch (KeyFileException ex)
        {
            throw new ArgumentException(ex.Message, IdentityKey is not null ? nameof(IdentityKey) : nameof(IdentityKeyFile), ex);
        }
    }

    internal void Validate()
    {
        if (Endpoint == AutoEndpoint)
        {
            if (Protocol.HostPort.Parse(DiscoveryAddress ?? "") is not { Port: > 0 })
            {
                throw new ArgumentException($"DiscoveryAddress '{DiscoveryAddress}' must be host:port with an IP address, e.g. 255.255.255.255:{Protocol.DiscoveryWire.DefaultPort}", nameof(DiscoveryAddress));
            }
        }
        else
        {
            ValidateEndpoint();
        }

        ValidateRest();
    }

    /// <summary>tcp:// over a NetMQ DEALER instead of Mq's own ZMTP stream: for measuring one against the other (see PeerConnection.TcpTransportVariable).</summary>
    internal bool TcpOverNetMq { get; init; }

    private void ValidateEndpoint()
    {
        if (Protocol.LocalEndpoint.IsLocal(Endpoint))
        {
            if (Protocol.LocalEndpoint.SocketPath(Endpoint!, out string? problem) is null)
            {
                throw new ArgumentException($"Endpoint: {problem}", nameof(Endpoint));
            }

            if (!string.IsNullOrEmpty(BrokerPublicKey))
            {
                throw new ArgumentException(UnixWithKey(Endpoint!), nameof(BrokerPublicKey));
            }

            return;
        }

        int colon = Endpoint?.LastIndexOf(':') ?? -1;
        if (Endpoint is null || !Endpoint.StartsWith("tcp://", StringComparison.Ordinal) || colon <= "tcp://".Length
            || !int.TryParse(Endpoint.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port)
            || port is < 1 or > 65535)
        {
            throw new ArgumentException($"Endpoint '{Endpoint}' must look like tcp://host:port (e.g. tcp://127.0.0.1:5555), unix:///absolute/path.sock or pipe://name, or be 'auto'", nameof(Endpoint));
        }
    }

    /// <summary>The one error of a pinned broker key with a Unix socket endpoint (docs/security.md).</summary>
    internal static string UnixWithKey(string endpoint) =>
        $"BrokerPublicKey cannot be used with {endpoint}: the broker offers no secure channel on a Unix socket (the socket file's permissions and the kernel's peer credentials protect it instead); connect over tcp:// to pin the broker's key, or drop BrokerPublicKey";

    private void ValidateRest()
    {

        if (Identity is not null && (Identity.Length == 0 || Identity.Any(char.IsControl) || (IdentityKeyFile is null) == (IdentityKey is null)))
        {
            throw new ArgumentException("An Identity must be non-empty, free of control characters, and come with exactly one of IdentityKeyFile or IdentityKey", nameof(Identity));
        }

        if (string.IsNullOrEmpty(Name) || Name.Any(char.IsControl))
        {
            throw new ArgumentException("Name must be non-empty and free of control characters", nameof(Name));
        }

        try
        {
            BrokerKey();
        }
        catch (KeyFileException ex)
        {
            throw new ArgumentException(ex.Message, nameof(BrokerPublicKey), ex);
        }

        if (ConnectTimeout <= TimeSpan.Zero || RequestTimeout <= TimeSpan.Zero || SubscriptionCapacity < 1 || SubscriptionBufferBytes < 1024 || OutboxCapacityBytes < 1024)
        {
            throw new ArgumentException("Timeouts must be positive, SubscriptionCapacity at least 1, SubscriptionBufferBytes and OutboxCapacityBytes at least 1024");
        }
    }

    /// <summary>The broker's raw public key, or null without one. Throws <see cref="KeyFileException"/>.</summary>
    internal byte[]? BrokerKey() =>
        string.IsNullOrEmpty(BrokerPublicKey) ? null : CurveKeys.PublicKeyBytes(BrokerPublicKey, nameof(BrokerPublicKey));

    // The generated ToString would print the identity key.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append($"Endpoint = {Endpoint}, DiscoveryAddress = {DiscoveryAddress}, Name = {Name}, ConnectTimeout = {ConnectTimeout}, RequestTimeout = {RequestTimeout}, ");
        builder.Append($"BrokerPublicKey = {BrokerPublicKey ?? "(none)"}, ");
        builder.Append($"Identity = {Identity ?? "(none)"}, IdentityKey = {(IdentityKey is null ? "(none)" : "(hidden)")}, IdentityKeyFile = {IdentityKeyFile ?? "(none)"}");
        return true;
    }
}
