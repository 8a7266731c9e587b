using System.Diagnostics;
using System.Threading.Channels;

namespace Mq.Benchmarks;

/// <summary>
/// Another process (this tool in a <c>--role</c>, or a broker) whose stdout lines are read as they come, so
/// the parent can await "ready" and "result" lines with timeouts. Disposing kills it by its handle.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    private ChildProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
            }
            else
            {
                _lines.Writer.TryWrite(e.Data);
            }
        };
        // Stderr is passed through so a failing child explains itself in the parent's output.
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine($"[{process.StartInfo.FileName} {process.Id}] {e.Data}");
            }
        };
    }

    public int Id => _process.Id;

    /// <summary>Starts this tool again with <paramref name="arguments"/> (normally a <c>--role</c>).</summary>
    public static ChildProcess StartSelf(IEnumerable<string> arguments)
    {
        string host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell how this process was started");
        var start = new ProcessStartInfo(host);
        // Run as "dotnet Mq.Benchmarks.dll" the host is dotnet and the assembly goes first.
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Start(start);
    }

    public static ChildProcess Start(ProcessStartInfo start)
    {
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = new Process { StartInfo = start };
        var child = new ChildProcess(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The next stdout line that satisfies <paramref name="match"/>; other lines are skipped.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            await foreach (string line in _lines.Reader.ReadAllAsync(limit.Token))
            {
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"process {Id} printed no matching line within {timeout.TotalSeconds:0.#} s");
        }

        throw new InvalidOperationException($"process {Id} ended (exit code {ExitCodeOrNull()}) without printing the expected line");
    }

    /// <summary>Asks a role process to finish and report (it reads "stop" on stdin).</summary>
    public void RequestStop()
    {
        try
        {
            _process.StandardInput.WriteLine("stop");
            _process.StandardInput.Flush();
        }
        catch (IOException)
        {
            // Already gone: its result line, if any, is in the buffer.
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            Console.Error.WriteLine($"process {_process.Id} did not end cleanly: {ex.Message}");
        }

        _process.Dispose();
    }

    private string ExitCodeOrNull() => _process.HasExited ? _process.ExitCode.ToString() : "none yet";
}
