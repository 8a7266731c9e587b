using Mq.Client;

namespace Mq.Hosting;

/// <summary>Serves one service with typed requests and replies; resolved from DI in a fresh scope for every request.</summary>
public interface IMqRequestHandler<in TRequest, TReply>
{
    ValueTask<TReply> HandleAsync(TRequest request, MqRequest context, CancellationToken cancellationToken);
}
