using MessagePack;
using Mq.Broker.Server;

namespace Mq.Broker.Monitoring.Http;

/// <summary>
/// The $SYS services as JSON: the broker thread makes the same MessagePack map a peer gets (docs/protocol.md §8.2),
/// turned into JSON as it is, so the HTTP endpoint and the protocol cannot disagree.
/// </summary>
internal static class SystemQuery
{
    /// <summary>How long a question may wait for the broker thread before the endpoint answers 503.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>The JSON of <paramref name="service"/>'s reply; throws <see cref="BrokerUnavailableException"/> when the broker cannot answer.</summary>
    public static async Task<string> JsonAsync(BrokerServer broker, string service, CancellationToken cancellationToken)
    {
        if (!broker.IsRunning)
        {
            throw new BrokerUnavailableException("the broker is not running");
        }

        byte[]? payload;
        try
        {
            payload = await broker.QuerySystemAsync(service, cancellationToken).WaitAsync(Timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new BrokerUnavailableException($"the broker thread did not answer within {Timeout.TotalSeconds:0} s");
        }

        return payload is null
            ? throw new InvalidOperationException($"{service} is no system service")
            : MessagePackSerializer.ConvertToJson(payload, cancellationToken: cancellationToken);
    }
}
