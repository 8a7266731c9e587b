namespace Mq.Benchmarks;

/// <summary>
/// One connection to the system under test, through its own client's fastest idiomatic API. The workloads
/// are written once against this, so every system runs exactly the same loops.
/// </summary>
internal interface IBenchTransport : IAsyncDisposable
{
    /// <summary>False where the system has no request/reply (Redis): W3 and W4 are then reported as n/a.</summary>
    bool SupportsRequestReply { get; }

    /// <summary>Publishes; the caller may reuse <paramref name="payload"/> as soon as this completes.</summary>
    ValueTask PublishAsync(string subject, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);

    /// <summary>Returns once the server has seen everything published before it.</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);

    /// <summary>Subscribes; returns once the server has registered the subscription.</summary>
    ValueTask<IBenchInbox> SubscribeAsync(string subject, CancellationToken cancellationToken);

    /// <summary>Serves <paramref name="service"/> by echoing each request's payload back.</summary>
    ValueTask<IAsyncDisposable> ServeEchoAsync(string service, CancellationToken cancellationToken);

    /// <summary>One request; returns the reply's length.</summary>
    ValueTask<int> RequestAsync(string service, ReadOnlyMemory<byte> payload, TimeSpan timeout, CancellationToken cancellationToken);
}
