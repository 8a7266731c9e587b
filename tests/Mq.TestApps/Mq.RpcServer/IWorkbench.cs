using Mq.Rpc;

namespace Mq.RpcServer;

/// <summary>What the process tests call on two servers: each method prints what the server saw on its standard output.</summary>
[MqContract("test.workbench")]
public interface IWorkbench
{
    /// <summary>Prints <c>holding TAG</c>, then waits for its token; prints <c>cancelled TAG</c> when it fires.</summary>
    Task<string> HoldAsync(string tag, CancellationToken cancellationToken);

    /// <summary>Reports 1 to <paramref name="steps"/>, then returns <paramref name="steps"/>.</summary>
    Task<int> StepsAsync(int steps, IProgress<int> progress, CancellationToken cancellationToken);

    /// <summary>
    /// <paramref name="count"/> items of <paramref name="size"/> bytes, each starting with its number (4 bytes,
    /// little-endian); prints <c>produced N</c> after every 100th, and <c>stream ended after N</c> when it ends.
    /// </summary>
    IAsyncEnumerable<byte[]> ItemsAsync(int count, int size, CancellationToken cancellationToken);

    /// <summary>This server's process id.</summary>
    ValueTask<int> WhoAsync();
}
