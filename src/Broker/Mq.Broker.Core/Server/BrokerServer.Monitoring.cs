namespace Mq.Broker.Server;

/// <summary>What the monitoring endpoint (the Mq.Broker.Monitoring package) asks the broker, in-process.</summary>
public sealed partial class BrokerServer
{
    /// <summary>The name of the broker's <see cref="System.Diagnostics.Metrics.Meter"/>; docs/observability.md lists its instruments.</summary>
    public const string MeterName = "Mq.Broker";

    /// <summary>The broker's name (<see cref="BrokerOptions.Name"/>).</summary>
    internal string Name => _options.Name;

    /// <summary>Started, bound and not stopping.</summary>
    internal bool IsRunning => Volatile.Read(ref _state) == 1;

    /// <summary>
    /// The payload a peer would get from the system service <paramref name="service"/> (<c>$SYS.info</c>,
    /// <c>$SYS.stats</c>...: a MessagePack map with string keys), made on the broker thread; null for a name that is
    /// none of them. Never completes once the broker stops: callers bound the wait.
    /// </summary>
    internal Task<byte[]?> QuerySystemAsync(string service, CancellationToken cancellationToken = default)
    {
        var result = new TaskCompletionSource<byte[]?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop.Post(now => result.TrySetResult(_engine.System.Answer(service, now)));
        return result.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Completes when the broker thread gets to it: the thread is alive and working through its queue.</summary>
    internal Task PingAsync(CancellationToken cancellationToken = default)
    {
        var result = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop.Post(_ => result.TrySetResult());
        return result.Task.WaitAsync(cancellationToken);
    }

    private void OnTick(long now)
    {
        _engine.OnTick(now);
        if (_metrics.Due(now))
        {
            _metrics.Publish(now, Snapshot(), _engine.QueuedBytes);
        }
    }
}
