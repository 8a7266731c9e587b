using Mq.Client;
using Mq.Hosting;

public sealed class OrderCreatedHandler(ILogger<OrderCreatedHandler> log) : IMqMessageHandler<OrderCreated>
{
    public ValueTask HandleAsync(OrderCreated order, MqMessage message, CancellationToken ct)
    {
        log.LogInformation("order {Id} on {Subject}", order.Id, message.Subject);
        return ValueTask.CompletedTask;
    }
}
