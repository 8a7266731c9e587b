namespace Mq.Benchmarks;

/// <summary>Connects to the system named by <c>--system</c>.</summary>
internal static class Transports
{
    /// <summary>"netmq" is not a product: it is the floor, bare NetMQ through a minimal relay (see <see cref="FloorWorkload"/>).</summary>
    public static readonly string[] Systems = ["mq", "mq-unix", "mq-netmq", "mq-plain", "mq-rpc", "nats", "jetstream", "redis", "netmq"];

    /// <summary>Systems with durable streams, for D1 and D2 ("jetstream" is a nats-server started with -js).</summary>
    public static bool IsDurable(string system) => system is "mq" or "mq-unix" or "jetstream";

    /// <summary>Mq's systems, which can start a broker of their own (without <c>--endpoint</c>).</summary>
    public static bool IsMq(string system) => system is "mq" or "mq-unix" or "mq-netmq" or "mq-plain" or "mq-rpc";

    /// <summary>
    /// "mq-netmq" is "mq" with the client's tcp:// over a NetMQ DEALER instead of its own ZMTP stream, in this process
    /// and the role processes it starts (they inherit the variable): what the client's transport is worth.
    /// </summary>
    public static void Prepare(string system)
    {
        if (system == "mq-netmq")
        {
            Environment.SetEnvironmentVariable("MQ_TCP_TRANSPORT", "netmq");
        }
    }

    /// <summary>"mq-unix" is "mq" over a Unix socket endpoint: a broker started for it listens on one too.</summary>
    public static bool IsUnix(string system) => system == "mq-unix";

    public static ValueTask<IBenchTransport> ConnectAsync(string system, string endpoint, string name, CancellationToken cancellationToken) => system switch
    {
        "mq" or "mq-unix" or "mq-netmq" => MqTransport.ConnectAsync(endpoint, name, flowControl: true, cancellationToken),
        "mq-plain" => MqTransport.ConnectAsync(endpoint, name, flowControl: false, cancellationToken),
        "mq-rpc" => MqRpcTransport.ConnectAsync(endpoint, name, cancellationToken),
        "nats" or "jetstream" => NatsTransport.ConnectAsync(endpoint, name, cancellationToken),
        "redis" => RedisTransport.ConnectAsync(endpoint, name, cancellationToken),
        _ => throw new ArgumentException($"unknown system '{system}'", nameof(system)),
    };

    public static ValueTask<IBenchDurable> ConnectDurableAsync(string system, string endpoint, string name, CancellationToken cancellationToken) => system switch
    {
        "mq" or "mq-unix" => MqDurable.ConnectAsync(endpoint, name, cancellationToken),
        "jetstream" => JetStreamDurable.ConnectAsync(endpoint, name, cancellationToken),
        _ => throw new ArgumentException($"system '{system}' has no durable streams here", nameof(system)),
    };
}
