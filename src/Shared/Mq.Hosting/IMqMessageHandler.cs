using Mq.Client;

namespace Mq.Hosting;

/// <summary>Handles messages of one subscription; resolved from DI in a fresh scope for every message.</summary>
public interface IMqMessageHandler
{
    ValueTask HandleAsync(MqMessage message, CancellationToken cancellationToken);
}
