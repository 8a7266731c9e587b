using Microsoft.Extensions.Logging;
using Mq.Client;
using Mq.Hosting;

namespace Mq.Subscriber.Demo;

/// <summary>The demo stats service: answers with what this subscriber has received. Any request payload is ignored.</summary>
internal sealed partial class StatsHandler(ReceivedMessages received, ILogger<StatsHandler> logger) : IMqRequestHandler<object?, DemoStats>
{
    public ValueTask<DemoStats> HandleAsync(object? request, MqRequest context, CancellationToken cancellationToken)
    {
        DemoStats stats = received.Snapshot();
        LogAnswered(context.Service, stats.Received);
        return ValueTask.FromResult(stats);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "answered {Service}: {Received} received so far")]
    private partial void LogAnswered(string service, long received);
}
