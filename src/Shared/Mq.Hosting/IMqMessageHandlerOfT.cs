using Mq.Client;

namespace Mq.Hosting;

/// <summary>Handles messages whose payload is a MessagePack <typeparamref name="T"/>; resolved per message in a fresh scope.</summary>
public interface IMqMessageHandler<in T>
{
    ValueTask HandleAsync(T payload, MqMessage message, CancellationToken cancellationToken);
}
