using System.Collections.Concurrent;

namespace Mq.IntegrationTests.Rpc;

/// <summary>What every <see cref="Inventory"/> sharing it holds, and how many were made and disposed (a DI scope per call shows).</summary>
public sealed class InventoryLog
{
    private int _created;
    private int _disposed;

    public ConcurrentDictionary<string, int> Stock { get; } = new(StringComparer.Ordinal);

    public int Created => Volatile.Read(ref _created);

    public int Disposed => Volatile.Read(ref _disposed);

    public void OnCreated() => Interlocked.Increment(ref _created);

    public void OnDisposed() => Interlocked.Increment(ref _disposed);
}
