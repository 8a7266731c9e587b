using Mq.Rpc;

namespace Mq.MicroBenchmarks.Rpc;

/// <summary>The contract the dispatcher benchmarks serve: a count by name (a string in, an int out) and a byte echo.</summary>
[MqContract("micro.inventory")]
public interface IMicroInventory
{
    ValueTask<int> CountAsync(string sku, CancellationToken cancellationToken = default);

    ValueTask<ReadOnlyMemory<byte>> EchoAsync(ReadOnlyMemory<byte> payload);
}
