namespace Mq.Benchmarks;

/// <summary>Connects to the system named by <c>--system</c>.</summary>
internal static class Transports
{
    public static readonly string[] Systems = ["mq", "nats", "redis"];

    public static ValueTask<IBenchTransport> ConnectAsync(string system, string endpoint, string name, CancellationToken cancellationToken) => system switch
    {
        "mq" => MqTransport.ConnectAsync(endpoint, name, cancellationToken),
        "nats" => NatsTransport.ConnectAsync(endpoint, name, cancellationToken),
        "redis" => RedisTransport.ConnectAsync(endpoint, name, cancellationToken),
        _ => throw new ArgumentException($"unknown system '{system}'", nameof(system)),
    };
}
