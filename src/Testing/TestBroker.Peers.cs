using Mq.Client;

namespace Mq.Testing;

public sealed partial class TestBroker
{
    /// <summary>How long <see cref="StartPeerAsync"/> waits for a peer's readiness unless told otherwise.</summary>
    public static readonly TimeSpan DefaultReadyTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The environment that points a peer process at this broker: <c>Mq__Endpoint</c> (hosted apps) and
    /// <c>MQ_BROKER</c> (the CLIs); when secured, the broker key (<c>Mq__BrokerPublicKey</c>, <c>MQ_BROKER_KEY</c>);
    /// with <paramref name="identity"/>, <c>Mq__Identity</c> and <c>Mq__IdentityKeyFile</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string> PeerEnvironment(string? identity = null)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Mq__Endpoint"] = Endpoint,
            ["MQ_BROKER"] = Endpoint,
        };
        if (_security is not null)
        {
            environment["Mq__BrokerPublicKey"] = _security.BrokerPublicKey;
            environment["MQ_BROKER_KEY"] = _security.BrokerPublicKey;
        }

        if (identity is not null)
        {
            environment["Mq__Identity"] = identity;
            environment["Mq__IdentityKeyFile"] = KeyFileOf(identity);
        }

        return environment;
    }

    /// <summary>
    /// Starts a peer process pointed at this broker (<see cref="PeerEnvironment"/>, on top of the start's own
    /// environment) and waits for its readiness signal (docs/testing.md); throws with its output if it exits or
    /// times out first. Dispose the peer to kill it.
    /// </summary>
    public async Task<PeerProcess> StartPeerAsync(PeerStart start, string? identity = null, TimeSpan? readyTimeout = null, CancellationToken cancellationToken = default)
    {
        PeerProcess peer = SpawnPeer(start, identity);
        try
        {
            await peer.WaitForReadyAsync(readyTimeout ?? DefaultReadyTimeout, cancellationToken);
            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a peer process pointed at this broker without waiting for it (a CLI that sends no readiness signal, say).</summary>
    public PeerProcess SpawnPeer(PeerStart start, string? identity = null)
    {
        var environment = new Dictionary<string, string>(PeerEnvironment(identity), StringComparer.Ordinal);
        foreach ((string key, string value) in start.Environment)
        {
            environment[key] = value;
        }

        return PeerProcess.Start(start with { Environment = environment });
    }

    /// <summary>
    /// Connects a client of its own and records every message on <paramref name="pattern"/>, decoded as
    /// <typeparamref name="T"/>; recording starts once the broker has confirmed the subscription. Dispose the
    /// recorder to close its client.
    /// </summary>
    public async Task<MessageRecorder<T>> RecordAsync<T>(string pattern, string? identity = null, CancellationToken cancellationToken = default)
    {
        MqClient client = await ConnectAsync($"recorder-{pattern}", identity, cancellationToken);
        try
        {
            return await MessageRecorder<T>.StartAsync(client, pattern, ownsClient: true, cancellationToken);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Records with a client the test already has (which stays the test's to dispose).</summary>
    public static Task<MessageRecorder<T>> RecordAsync<T>(MqClient client, string pattern, CancellationToken cancellationToken = default) =>
        MessageRecorder<T>.StartAsync(client, pattern, ownsClient: false, cancellationToken);
}
