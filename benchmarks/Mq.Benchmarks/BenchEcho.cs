namespace Mq.Benchmarks;

/// <summary>Serves <see cref="IBenchEcho"/>.</summary>
internal sealed class BenchEcho : IBenchEcho
{
    public ValueTask<ReadOnlyMemory<byte>> EchoAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) => ValueTask.FromResult(payload);
}
