namespace Mq.MicroBenchmarks.Rpc;

/// <summary>Answers without work, so the benchmarks measure the dispatcher alone.</summary>
internal sealed class MicroInventory : IMicroInventory
{
    public ValueTask<int> CountAsync(string sku, CancellationToken cancellationToken) => ValueTask.FromResult(sku.Length);

    public ValueTask<ReadOnlyMemory<byte>> EchoAsync(ReadOnlyMemory<byte> payload) => ValueTask.FromResult(payload);
}
