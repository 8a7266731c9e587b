using System.Diagnostics;

namespace Mq.UnitTests.Persistence;

/// <summary>
/// The Mq.StoreWriter test app as a child process: started by the test, read line by line with a bounded wait,
/// and killed by its own handle. With a file size limit it runs under bash's ulimit -f with SIGXFSZ ignored, so
/// a write past the limit fails with EFBIG as on a full disk instead of killing the process.
/// </summary>
internal sealed class StoreWriterProcess : IDisposable
{
    private readonly Process _process;

    public StoreWriterProcess(string directory, string fsync, int segmentKib = 64, int? fileLimitKib = null)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Mq.StoreWriter.dll");
        var start = fileLimitKib is { } limit
            ? new ProcessStartInfo("/bin/bash", ["-c", $"trap '' XFSZ; ulimit -f {limit}; exec dotnet \"$@\"", "bash", dll, directory, fsync, $"{segmentKib}"])
            : new ProcessStartInfo("dotnet", [dll, directory, fsync, $"{segmentKib}"]);
        // The runtime's W^X double mapping sizes a shared memory file past any small limit and would not start.
        start.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        _process = Process.Start(start) ?? throw new InvalidOperationException("Mq.StoreWriter did not start");
        _process.ErrorDataReceived += (_, line) => Errors.Add(line.Data);
        _process.BeginErrorReadLine();
    }

    public List<string?> Errors { get; } = [];

    /// <summary>The next line of output, or null at its end; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<string?> ReadLineAsync(TimeSpan timeout)
    {
        using var bound = new CancellationTokenSource(timeout);
        return await _process.StandardOutput.ReadLineAsync(bound.Token);
    }

    public async Task KillAsync()
    {
        _process.Kill();
        await WaitForExitAsync();
    }

    public async Task<int> WaitForExitAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(bound.Token);
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
            _process.Kill();
        _process.Dispose();
    }
}
