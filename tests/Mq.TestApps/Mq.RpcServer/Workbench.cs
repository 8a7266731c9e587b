using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Mq.RpcServer;

/// <summary>The served <see cref="IWorkbench"/>: what it prints is what the process tests read.</summary>
public sealed class Workbench : IWorkbench
{
    public async Task<string> HoldAsync(string tag, CancellationToken cancellationToken)
    {
        Console.WriteLine($"holding {tag}");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return tag;
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine($"cancelled {tag}");
            throw;
        }
    }

    public Task<int> StepsAsync(int steps, IProgress<int> progress, CancellationToken cancellationToken)
    {
        for (int step = 1; step <= steps; step++)
        {
            progress.Report(step);
        }

        return Task.FromResult(steps);
    }

    public async IAsyncEnumerable<byte[]> ItemsAsync(int count, int size, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int produced = 0;
        try
        {
            for (; produced < count; produced++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                byte[] item = new byte[Math.Max(size, sizeof(int))];
                BinaryPrimitives.WriteInt32LittleEndian(item, produced);
                if ((produced + 1) % 100 == 0)
                {
                    Console.WriteLine($"produced {produced + 1}");
                }

                yield return item;
            }
        }
        finally
        {
            Console.WriteLine($"stream ended after {produced}");
        }

        await Task.CompletedTask;
    }

    public ValueTask<int> WhoAsync() => ValueTask.FromResult(Environment.ProcessId);
}
