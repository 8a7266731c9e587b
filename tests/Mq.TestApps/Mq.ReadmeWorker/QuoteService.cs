using Mq.Client;
using Mq.Hosting;

public sealed class QuoteService : IMqRequestHandler<string, double>
{
    public ValueTask<double> HandleAsync(string sku, MqRequest request, CancellationToken ct) => ValueTask.FromResult(9.99);
}
