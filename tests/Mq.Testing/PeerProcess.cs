using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Mq.Testing;

/// <summary>
/// A real Mq executable (broker, publisher, subscriber) started as its own OS process from the test's output
/// folder. Every line it writes is kept and can be awaited; the process is killed, by its own handle, when the
/// test disposes it.
/// </summary>
public sealed partial class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<OutputLine> _lines = [];
    private readonly List<(Func<OutputLine, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PeerProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything written so far, both streams interleaved as received, for assertion messages.</summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines.Select(l => (l.IsError ? "err| " : "out| ") + l.Text));
            }
        }
    }

    public IReadOnlyList<string> StandardOutput => Snapshot(isError: false);

    public IReadOnlyList<string> StandardError => Snapshot(isError: true);

    /// <summary>Starts <c>dotnet &lt;assembly&gt;.dll</c> from the test's output folder (also its working directory unless given).</summary>
    public static PeerProcess Start(string assembly, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? standardInput = null, string? workingDirectory = null)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, assembly + ".dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{assembly}.dll is not in the test output folder; reference its project", dll);
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(dll);
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Keep the children's output plain and their startup quick.
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["NO_COLOR"] = "1";
        info.Environment.Remove("MQ_BROKER");
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var peer = new PeerProcess(process, assembly);
        process.OutputDataReceived += (_, e) => peer.OnLine(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => peer.OnLine(e.Data, isError: true);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null)
        {
            process.StandardInput.Write(standardInput);
            process.StandardInput.Close();
        }

        return peer;
    }

    /// <summary>Waits for a line (on either stream) that satisfies <paramref name="match"/>, including lines already written.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, bool? onStandardError = null)
    {
        bool Matches(OutputLine line) => (onStandardError is null || line.IsError == onStandardError) && match(line.Text);
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            OutputLine? existing = _lines.FirstOrDefault(Matches);
            if (existing is not null)
            {
                return Task.FromResult(existing.Text);
            }

            _waiters.Add((Matches, found));
        }

        return WithDiagnostics(found.Task, timeout, "the expected line");
    }

    public Task<string> WaitForLineAsync(string contains, TimeSpan timeout, bool? onStandardError = null) =>
        WaitForLineAsync(line => line.Contains(contains, StringComparison.Ordinal), timeout, onStandardError);

    /// <summary>Waits for the process to end and for its output to be read to the end; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} (pid {Id}) did not exit within {timeout.TotalSeconds:0.#} s. Output so far:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Asks the process to stop as <c>docker stop</c> or Ctrl+C would (SIGTERM / SIGINT).</summary>
    public void Signal(int signal = 15)
    {
        if (!_process.HasExited && Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Ends the process at once, as a crash would (SIGKILL).</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            Kill();
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task<string> WithDiagnostics(Task<string> task, TimeSpan timeout, string what)
    {
        try
        {
            return await task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} (pid {Id}, exited: {_process.HasExited}) did not write {what} within {timeout.TotalSeconds:0.#} s. Output so far:\n{Output}");
        }
    }

    private void OnLine(string? text, bool isError)
    {
        if (text is null)
        {
            (isError ? _stderrClosed : _stdoutClosed).TrySetResult();
            return;
        }

        var line = new OutputLine(text, isError);
        List<TaskCompletionSource<string>> satisfied = [];
        lock (_lines)
        {
            _lines.Add(line);
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    satisfied.Add(_waiters[i].Found);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (TaskCompletionSource<string> found in satisfied)
        {
            found.TrySetResult(text);
        }
    }

    private List<string> Snapshot(bool isError)
    {
        lock (_lines)
        {
            return _lines.Where(l => l.IsError == isError).Select(l => l.Text).ToList();
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private sealed record OutputLine(string Text, bool IsError);
}
