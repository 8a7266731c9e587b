using Mq.Client;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.IntegrationTests.Infrastructure;

/// <summary>Client options for a <see cref="SecuredBroker"/>: its endpoint, its key pinned, one of its identities.</summary>
public static class SecuredBrokerClients
{
    public static MqClientOptions ClientOptions(this SecuredBroker broker, string identity) => MqClientOptions.Default with
    {
        Endpoint = broker.Endpoint,
        Name = $"{identity}-peer",
        Identity = identity,
        IdentityKeyFile = broker.KeyFile(identity),
        BrokerPublicKey = broker.BrokerPublicKey,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };
}
