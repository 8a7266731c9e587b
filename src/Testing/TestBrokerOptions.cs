using Microsoft.Extensions.Logging;
using Mq.Broker.Security;
using Mq.Broker.Server;

namespace Mq.Testing;

/// <summary>How <see cref="TestBroker"/> starts its broker; changed in the callback of <see cref="TestBroker.StartAsync"/>.</summary>
public sealed class TestBrokerOptions
{
    /// <summary>The broker's own settings. The endpoint defaults to a free loopback port; Curve and PolicyFile are the kit's when <see cref="Secure"/>.</summary>
    public BrokerOptions Broker { get; } = new() { Endpoint = "tcp://127.0.0.1:0", Name = "mq-test-broker" };

    /// <summary>
    /// Also listen on a Unix socket (<c>broker.sock</c> in the test's folder) and hand peers that endpoint instead of
    /// TCP: <see cref="TestBroker.Endpoint"/>, <see cref="TestBroker.ClientOptions"/> and
    /// <see cref="TestBroker.PeerEnvironment"/> use it, <see cref="TestBroker.TcpEndpoint"/> stays. Linux and macOS;
    /// not with <see cref="Secure"/> or <see cref="Identities"/>, since a Unix socket has no secure channel.
    /// </summary>
    public bool Unix { get; set; }

    /// <summary>Run the broker as its own OS process (the kit's broker host, with the test's runtime) instead of in the test process.</summary>
    public bool AsProcess { get; set; }

    /// <summary>
    /// Encrypt every connection to a broker key generated for the test (peers get it pinned). Implied by
    /// <see cref="Identities"/>, since a policy needs the secure channel.
    /// </summary>
    public bool Secure { get; set; }

    /// <summary>Roles of the generated policy, by name (docs/security.md).</summary>
    public Dictionary<string, PolicyRole> Roles { get; } = new(StringComparer.Ordinal);

    /// <summary>Identities of the generated policy with their roles; each gets a key pair in the test's folder.</summary>
    public Dictionary<string, IReadOnlyList<string>> Identities { get; } = new(StringComparer.Ordinal);

    /// <summary>Where an in-process broker logs; nowhere when null.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>How long a broker process may take to say it is ready.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Adds an identity with a role of its own name that allows exactly <paramref name="permissions"/>.</summary>
    public TestBrokerOptions AddIdentity(string identity, PolicyRole permissions)
    {
        Roles[identity] = permissions;
        Identities[identity] = [identity];
        return this;
    }
}
