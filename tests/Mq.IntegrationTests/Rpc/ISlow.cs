using Mq.Rpc;

namespace Mq.IntegrationTests.Rpc;

/// <summary>A contract with its own timeout, shorter than any client's, and a method that takes as long as it is told.</summary>
[MqContract("test.slow", TimeoutMilliseconds = 300)]
public interface ISlow
{
    /// <summary>Returns <paramref name="milliseconds"/> after that long, unless its token fires first.</summary>
    Task<int> WaitAsync(int milliseconds, CancellationToken cancellationToken);
}
