using Mq.Rpc;

namespace Mq.Benchmarks;

/// <summary>The remote object W3 and W4 call for "mq-rpc": the same echo as the raw service, through a generated proxy.</summary>
[MqContract("bench.rpc")]
public interface IBenchEcho
{
    /// <summary>The argument back; a byte result is the reply payload itself, as the raw echo's.</summary>
    ValueTask<ReadOnlyMemory<byte>> EchoAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);
}
