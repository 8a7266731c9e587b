using Microsoft.Extensions.Logging;
using Mq.Client;
using Mq.Hosting;

namespace Mq.Subscriber.Demo;

/// <summary>The demo subscription's handler: logs each message and counts it for the stats service.</summary>
internal sealed partial class CountingHandler(ReceivedMessages received, ILogger<CountingHandler> logger) : IMqMessageHandler
{
    public ValueTask HandleAsync(MqMessage message, CancellationToken cancellationToken)
    {
        received.Add(message.Subject);
        LogReceived(message.Subject, message.ToJson());
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "received {Subject}: {Payload}")]
    private partial void LogReceived(string subject, string payload);
}
