using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace Mq.Benchmarks;

/// <summary>
/// NATS JetStream through NATS.Net: file storage, publishes awaited for their PubAck, replay through an ordered
/// consumer (no acks, the server's flow control) reading pooled buffers.
/// </summary>
internal sealed class JetStreamDurable(NatsConnection connection, INatsJSContext js) : IBenchDurable
{
    public static async ValueTask<IBenchDurable> ConnectAsync(string endpoint, string name, CancellationToken cancellationToken)
    {
        var connection = new NatsConnection(NatsOpts.Default with { Url = endpoint, Name = name });
        await connection.ConnectAsync().AsTask().WaitAsync(cancellationToken);
        return new JetStreamDurable(connection, connection.CreateJetStreamContext());
    }

    public async ValueTask CreateStreamAsync(string stream, string subject, CancellationToken cancellationToken)
    {
        await DeleteStreamAsync(stream, cancellationToken);
        await js.CreateStreamAsync(new StreamConfig(stream, [subject]) { Storage = StreamConfigStorage.File }, cancellationToken);
    }

    public async ValueTask<ulong> PublishDurableAsync(string subject, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        PubAckResponse ack = await js.PublishAsync(subject, payload, cancellationToken: cancellationToken);
        ack.EnsureSuccess();
        return ack.Seq;
    }

    public async Task<long> ReplayAsync(string stream, long count, CancellationToken cancellationToken)
    {
        INatsJSConsumer consumer = await js.CreateOrderedConsumerAsync(stream, new NatsJSOrderedConsumerOpts { DeliverPolicy = ConsumerConfigDeliverPolicy.All }, cancellationToken);
        long inOrder = 0;
        ulong last = 0;
        await foreach (NatsJSMsg<NatsMemoryOwner<byte>> message in consumer.ConsumeAsync<NatsMemoryOwner<byte>>(cancellationToken: cancellationToken))
        {
            using NatsMemoryOwner<byte> data = message.Data;
            ulong sequence = message.Metadata?.Sequence.Stream ?? 0;
            if (sequence == last + 1)
            {
                inOrder++;
            }

            last = sequence;
            if (sequence >= (ulong)count)
            {
                break;
            }
        }

        return inOrder;
    }

    public async ValueTask DeleteStreamAsync(string stream, CancellationToken cancellationToken)
    {
        try
        {
            await js.DeleteStreamAsync(stream, cancellationToken);
        }
        catch (NatsJSApiException ex) when (ex.Error.Code == 404)
        {
            // Not there: nothing to delete.
        }
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
