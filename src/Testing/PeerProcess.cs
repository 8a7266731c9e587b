using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Mq.Testing;

/// <summary>
/// A peer started as its own OS process (see <see cref="PeerStart"/>). Every line it writes is kept and can be
/// awaited; it can be paused, resumed, signalled and killed; and it is always killed, by its own handle, when the
/// test disposes it.
/// </summary>
public sealed partial class PeerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<OutputLine> _lines = [];
    private readonly List<(Func<OutputLine, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ReadinessListener? _readiness;

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

    /// <summary>Starts <c>dotnet &lt;assembly&gt;.dll</c> from the test's output folder (see <see cref="PeerStart.App"/>).</summary>
    public static PeerProcess Start(string assembly, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? standardInput = null, string? workingDirectory = null) =>
        Start(PeerStart.App(assembly, [.. arguments]) with
        {
            Environment = environment ?? new Dictionary<string, string>(),
            StandardInput = standardInput,
            WorkingDirectory = workingDirectory,
        });

    /// <summary>
    /// Starts the process. It does not inherit the test's <c>MQ_BROKER</c>, <c>Mq__Endpoint</c> or readiness
    /// variable: a peer talks to the broker the test gives it, not to one the test runner happened to see.
    /// </summary>
    public static PeerProcess Start(PeerStart start)
    {
        var info = new ProcessStartInfo(start.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = start.StandardInput is not null,
            UseShellExecute = false,
            WorkingDirectory = start.WorkingDirectory ?? AppContext.BaseDirectory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in start.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Keep the children's output plain and their startup quick.
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["NO_COLOR"] = "1";
        info.Environment.Remove("MQ_BROKER");
        info.Environment.Remove("Mq__Endpoint");
        info.Environment.Remove(ReadinessListener.Variable);
        ReadinessListener? readiness = start.Environment.ContainsKey(ReadinessListener.Variable) ? null : new ReadinessListener();
        if (readiness is not null)
        {
            info.Environment[ReadinessListener.Variable] = readiness.Address;
        }

        foreach ((string key, string value) in start.Environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var peer = new PeerProcess(process, start.Name) { _readiness = readiness };
        process.OutputDataReceived += (_, e) => peer.OnLine(e.Data, isError: false);
        process.ErrorDataReceived += (_, e) => peer.OnLine(e.Data, isError: true);
        try
        {
            process.Start();
        }
        catch
        {
            readiness?.Dispose();
            process.Dispose();
            throw;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (start.StandardInput is not null)
        {
            process.StandardInput.Write(start.StandardInput);
            process.StandardInput.Close();
        }

        return peer;
    }

    /// <summary>
    /// Waits for the peer's readiness signal (docs/testing.md: it connects to <c>MQ_READY_ADDRESS</c>, as Mq.Hosting
    /// does once every subscription and service is confirmed). Throws, with the peer's output, if it exits first
    /// or the signal does not come within <paramref name="timeout"/>.
    /// </summary>
    public async Task WaitForReadyAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (_readiness is null)
        {
            throw new InvalidOperationException($"{Name} was started with its own {ReadinessListener.Variable}; the kit does not listen for it");
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task ready = _readiness.WaitAsync(cts.Token);
        Task exited = _process.WaitForExitAsync(cts.Token);
        try
        {
            if (await Task.WhenAny(ready, exited).WaitAsync(timeout, cancellationToken) == ready)
            {
                await ready;
                return;
            }
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} (pid {Id}) was not ready within {timeout.TotalSeconds:0.#} s. Output so far:\n{Output}");
        }
        finally
        {
            await cts.CancelAsync();
        }

        await DrainOutputAsync();
        throw new InvalidOperationException($"{Name} (pid {Id}) exited with code {_process.ExitCode} before it was ready. Output:\n{Output}");
    }

    /// <summary>Waits for the process to end and throws, with its output, unless its exit code is <paramref name="expected"/>.</summary>
    public async Task ExpectExitAsync(int expected, TimeSpan timeout)
    {
        int code = await WaitForExitAsync(timeout);
        if (code != expected)
        {
            throw new InvalidOperationException($"{Name} (pid {Id}) exited with code {code}, not {expected}. Output:\n{Output}");
        }
    }

    /// <summary>
    /// Stops the process where it stands (SIGSTOP) and returns once Linux reports it stopped: from then on it neither
    /// reads nor writes nor answers heartbeats until <see cref="Resume"/>. A signal is delivered asynchronously, so
    /// returning at once would let a test act while the peer still runs.
    /// </summary>
    public async Task PauseAsync(TimeSpan? timeout = null)
    {
        Signal(19);
        TimeSpan bound = timeout ?? TimeSpan.FromSeconds(10);
        using var every = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        long deadline = Environment.TickCount64 + (long)bound.TotalMilliseconds;
        while (ProcStatus.State(Id) != 'T')
        {
            if (Environment.TickCount64 > deadline || HasExited)
            {
                throw new TimeoutException($"{Name} (pid {Id}) did not stop within {bound.TotalSeconds:0.#} s of SIGSTOP. Output:\n{Output}");
            }

            await every.WaitForNextTickAsync();
        }
    }

    /// <summary>Lets a paused process go on (SIGCONT).</summary>
    public void Resume() => Signal(18);

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
            await DrainOutputAsync();
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
        _readiness?.Dispose();
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

    /// <summary>After exit: the last lines may still be on their way from the pipes.</summary>
    private Task DrainOutputAsync() => Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(TimeSpan.FromSeconds(5));

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
