namespace Mq.Benchmarks;

/// <summary>A subscription that the server has confirmed, read by one loop.</summary>
internal interface IBenchInbox : IAsyncDisposable
{
    /// <summary>Hands each payload to <paramref name="handler"/> until it returns false or <paramref name="cancellationToken"/> fires.</summary>
    Task RunAsync(PayloadHandler handler, CancellationToken cancellationToken);
}
