namespace Mq.StoreBenchmarks;

/// <summary>What a workload drives: one durable append at a time per caller, and a replay from the start.</summary>
internal interface IBenchStore : IAsyncDisposable
{
    ValueTask AppendAsync(byte[] payload);

    ValueTask<long> ReplayAsync();
}
