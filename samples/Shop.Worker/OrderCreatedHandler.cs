using Mq.Client;
using Mq.Hosting;
using Shop.Contracts;

namespace Shop.Worker;

/// <summary>Prices each created order through prices.quote and publishes what it costs on orders.billed.
/// The queue group shares the orders among however many workers run.</summary>
public sealed class OrderCreatedHandler(MqClient mq, ILogger<OrderCreatedHandler> log) : IMqMessageHandler<OrderCreated>
{
    public async ValueTask HandleAsync(OrderCreated order, MqMessage message, CancellationToken cancellationToken)
    {
        Quote quote = await mq.RequestAsync<QuoteRequest, Quote>(
            Subjects.PriceQuote, new QuoteRequest { Sku = order.Sku }, cancellationToken: cancellationToken);
        var billed = new OrderBilled { Id = order.Id, Total = Math.Round(quote.Price * order.Quantity, 2) };
        await mq.PublishAsync(Subjects.OrdersBilled, billed, cancellationToken: cancellationToken);
        log.LogInformation("order {Id} from {Subject} billed {Total}", order.Id, message.Subject, billed.Total);
    }
}
