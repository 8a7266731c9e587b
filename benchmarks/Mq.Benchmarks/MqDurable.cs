using MessagePack;
using Mq.Client;
using Mq.Errors;
using Mq.Protocol;

namespace Mq.Benchmarks;

/// <summary>
/// Mq's durable streams through <see cref="MqClient"/>: streams made with <c>$SYS.stream.create</c>, publishes awaited
/// for their STORED, replay through a consumer from the stream's first message (the client's flow control).
/// </summary>
internal sealed class MqDurable(MqClient client, int? fsyncEveryMs) : IBenchDurable
{
    /// <summary>
    /// Unset: fsync before each acknowledgement (Mq's default). A number: the stream's <c>fsync_every_ms</c>, for a
    /// loss window like JetStream's default (it writes before it acknowledges and syncs every two minutes).
    /// </summary>
    public const string FsyncVariable = "MQ_BENCH_FSYNC_EVERY_MS";

    public static async ValueTask<IBenchDurable> ConnectAsync(string endpoint, string name, CancellationToken cancellationToken)
    {
        int? fsync = int.TryParse(Environment.GetEnvironmentVariable(FsyncVariable), out int ms) ? ms : null;
        var options = new MqClientOptions { Endpoint = endpoint, Name = name };
        return new MqDurable(await MqClient.ConnectAsync(options, cancellationToken: cancellationToken), fsync);
    }

    public async ValueTask CreateStreamAsync(string stream, string subject, CancellationToken cancellationToken)
    {
        await DeleteStreamAsync(stream, cancellationToken);
        var create = new Dictionary<string, object?> { ["name"] = stream, ["subjects"] = new[] { subject } };
        if (fsyncEveryMs is int ms)
        {
            create["fsync_every_ms"] = ms;
        }

        await client.RequestAsync("$SYS.stream.create", MessagePackSerializer.Serialize(create, cancellationToken: cancellationToken), cancellationToken: cancellationToken);
    }

    /// <summary>
    /// As a publisher would: a refusal because the store is behind (a broker on a small memory budget refuses rather
    /// than buffer more, docs/persistence.md) is tried again after a millisecond, until the workload's deadline.
    /// </summary>
    public async ValueTask<ulong> PublishDurableAsync(string subject, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return (await client.PublishDurableAsync(subject, payload, cancellationToken: cancellationToken)).Sequence;
            }
            catch (MqException ex) when (ex.Code == ErrorCode.StoreFailed && ex.Message.Contains("wait for its store", StringComparison.Ordinal))
            {
                await Task.Delay(1, cancellationToken);
            }
        }
    }

    public async Task<long> ReplayAsync(string stream, long count, CancellationToken cancellationToken)
    {
        await using MqSubscription consumer = await client.ConsumeAsync(stream, StreamStart.First, cancellationToken);
        long inOrder = 0;
        ulong last = 0;
        var reader = consumer.Reader;
        while (last < (ulong)count && await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out MqMessage? message))
            {
                if (message.StreamSequence == last + 1)
                {
                    inOrder++;
                }

                last = message.StreamSequence;
            }
        }

        return inOrder;
    }

    public async ValueTask DeleteStreamAsync(string stream, CancellationToken cancellationToken)
    {
        try
        {
            await client.RequestAsync("$SYS.stream.delete", MessagePackSerializer.Serialize(new Dictionary<string, object?> { ["name"] = stream }, cancellationToken: cancellationToken), cancellationToken: cancellationToken);
        }
        catch (MqException ex) when (ex.Code == ErrorCode.NoStream)
        {
            // Not there: nothing to delete.
        }
    }

    public ValueTask DisposeAsync() => client.DisposeAsync();
}
