using System.ComponentModel.DataAnnotations;
using Mq.Client;

namespace Mq.Hosting;

/// <summary>The peer's settings as bound from configuration (section "Mq" by default) and validated at start.</summary>
public sealed class MqOptions : IValidatableObject
{
    public const string SectionName = "Mq";

    /// <summary>
    /// <c>tcp://host:port</c>, <c>unix:///absolute/path.sock</c> (a broker's Unix socket), <c>pipe://name</c> (on Linux and
    /// macOS the Unix socket of .NET's named pipe <c>name</c>), or <c>auto</c> to find the broker by discovery at
    /// <see cref="DiscoveryAddress"/>.
    /// </summary>
    [Required]
    [RegularExpression(@"^(tcp://\S+:\d{1,5}|unix:///\S+|pipe://\S+|auto)$", ErrorMessage = "Endpoint must look like tcp://127.0.0.1:5555, unix:///run/mq/broker.sock or pipe://name, or be auto")]
    public string Endpoint { get; set; } = MqClientOptions.Default.Endpoint;

    /// <summary>Where an <c>auto</c> endpoint asks for a broker (<see cref="MqClientOptions.DiscoveryAddress"/>).</summary>
    [Required]
    public string DiscoveryAddress { get; set; } = MqClientOptions.Default.DiscoveryAddress;

    [Required]
    [StringLength(128, MinimumLength = 1)]
    public string Name { get; set; } = MqClientOptions.Default.Name;

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan ConnectTimeout { get; set; } = MqClientOptions.Default.ConnectTimeout;

    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan RequestTimeout { get; set; } = MqClientOptions.Default.RequestTimeout;

    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan DrainTimeout { get; set; } = MqClientOptions.Default.DrainTimeout;

    [Range(1, 10_000_000)]
    public int SubscriptionCapacity { get; set; } = MqClientOptions.Default.SubscriptionCapacity;

    [Range(1024, long.MaxValue)]
    public long SubscriptionBufferBytes { get; set; } = MqClientOptions.Default.SubscriptionBufferBytes;

    [Range(1024, long.MaxValue)]
    public long OutboxCapacityBytes { get; set; } = MqClientOptions.Default.OutboxCapacityBytes;

    /// <summary>The broker's public key (z85): the connection runs in Mq's secure channel to that broker only. See docs/security.md.</summary>
    [RegularExpression(Z85Key, ErrorMessage = "BrokerPublicKey must be a 40-character z85 key")]
    public string? BrokerPublicKey { get; set; }

    private const string Z85Key = @"^[0-9a-zA-Z.\-:+=^!/*?&<>()\[\]{}@%$#]{40}$";

    /// <summary>
    /// When the broker cannot be reached as the host starts, keep trying (logging while waiting) for up to
    /// <see cref="InitialConnectWait"/> instead of stopping the host at once: a worker may start before its broker.
    /// </summary>
    public bool RetryInitialConnect { get; set; } = true;

    /// <summary>How long the host's start waits for the broker when <see cref="RetryInitialConnect"/> is on.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan InitialConnectWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The identity to prove to a broker with a security policy; with <see cref="IdentityKeyFile"/>.</summary>
    public string? Identity { get; set; }

    /// <summary>PEM file with the identity's private key.</summary>
    public string? IdentityKeyFile { get; set; }

    public MqClientOptions ToClientOptions() => MqClientOptions.Default with
    {
        Endpoint = Endpoint,
        DiscoveryAddress = DiscoveryAddress,
        Name = Name,
        ConnectTimeout = ConnectTimeout,
        RequestTimeout = RequestTimeout,
        DrainTimeout = DrainTimeout,
        SubscriptionCapacity = SubscriptionCapacity,
        SubscriptionBufferBytes = SubscriptionBufferBytes,
        OutboxCapacityBytes = OutboxCapacityBytes,
        BrokerPublicKey = BrokerPublicKey,
        Identity = Identity,
        IdentityKeyFile = IdentityKeyFile,
    };

    /// <summary>Key files are read at start, so a missing, damaged or unsafe one fails the host's start, not its first connect.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (KeyProblem(() => ToClientOptions().BrokerKey()) is { } curveProblem)
        {
            yield return new ValidationResult(curveProblem, [nameof(BrokerPublicKey)]);
        }

        if (Mq.Protocol.LocalEndpoint.IsLocal(Endpoint))
        {
            if (Mq.Protocol.LocalEndpoint.SocketPath(Endpoint, out string? pathProblem) is null)
            {
                yield return new ValidationResult($"Endpoint: {pathProblem}", [nameof(Endpoint)]);
            }
            else if (!string.IsNullOrEmpty(BrokerPublicKey))
            {
                yield return new ValidationResult(MqClientOptions.UnixWithKey(Endpoint), [nameof(BrokerPublicKey)]);
            }
        }

        if (Mq.Protocol.HostPort.Parse(DiscoveryAddress ?? "") is not { Port: > 0 })
        {
            yield return new ValidationResult($"DiscoveryAddress '{DiscoveryAddress}' must be host:port with an IP address, e.g. {MqClientOptions.Default.DiscoveryAddress}", [nameof(DiscoveryAddress)]);
        }

        if ((Identity is null) != (IdentityKeyFile is null))
        {
            yield return new ValidationResult("Identity and IdentityKeyFile go together", [nameof(Identity), nameof(IdentityKeyFile)]);
        }
        else if (IdentityKeyFile is not null && KeyProblem(() => Mq.Security.IdentityProof.LoadPrivateKeyFile(IdentityKeyFile).Dispose()) is { } identityProblem)
        {
            yield return new ValidationResult(identityProblem, [nameof(IdentityKeyFile)]);
        }
    }

    private static string? KeyProblem(Action load)
    {
        try
        {
            load();
            return null;
        }
        catch (Mq.Security.KeyFileException ex)
        {
            return ex.Message;
        }
    }
}
