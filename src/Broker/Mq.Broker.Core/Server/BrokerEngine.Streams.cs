using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Mq.Broker.Sessions;
using Mq.Broker.Streams;
using Mq.Protocol;

namespace Mq.Broker.Server;

/// <summary>The engine's durable streams: they capture what the pub/sub router routes and answer the <c>$SYS.stream.</c> requests.</summary>
internal sealed partial class BrokerEngine
{
    /// <summary>The durable streams; null for an engine built without a way back to the broker thread.</summary>
    public StreamHost? Streams { get; }

    private StreamHost CreateStreams(Action<IBrokerWork> post, ILoggerFactory? loggerFactory)
    {
        var streams = new StreamHost(_options, _writer, _events, post, loggerFactory ?? NullLoggerFactory.Instance) { Router = _pubSub };
        _pubSub.Streams = streams;
        _requests.Streams = streams;
        return streams;
    }

    private void Consume(PeerSession session, ref CommandReader reader, long now)
    {
        if (Streams is null)
        {
            reader.SkipCommand();
            _writer.Refuse(session, 0, ErrorCode.NoStream, "this broker has no streams", now);
            return;
        }

        Streams.Consume(session, ref reader, now);
    }

    private void StreamAck(PeerSession session, ref CommandReader reader, long now)
    {
        if (Streams is null)
        {
            reader.SkipCommand();
            return;
        }

        Streams.Acknowledge(session, ref reader, now);
    }
}
