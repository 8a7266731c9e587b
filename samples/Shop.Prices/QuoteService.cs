using Mq.Client;
using Mq.Hosting;
using Shop.Contracts;

namespace Shop.Prices;

/// <summary>Quotes from a fixed price list; an unknown SKU fails the request, which reaches the requester as a RemoteErrorException.</summary>
public sealed class QuoteService(ILogger<QuoteService> log) : IMqRequestHandler<QuoteRequest, Quote>
{
    private static readonly Dictionary<string, double> Prices = new() { ["sku-1"] = 9.99, ["sku-2"] = 24.50 };

    public ValueTask<Quote> HandleAsync(QuoteRequest request, MqRequest context, CancellationToken cancellationToken)
    {
        if (!Prices.TryGetValue(request.Sku, out double price))
        {
            throw new ArgumentException($"no price for SKU '{request.Sku}'", nameof(request));
        }

        log.LogInformation("quoted {Sku} at {Price}", request.Sku, price);
        return ValueTask.FromResult(new Quote { Sku = request.Sku, Price = price });
    }
}
