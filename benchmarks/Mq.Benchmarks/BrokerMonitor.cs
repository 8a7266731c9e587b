namespace Mq.Benchmarks;

/// <summary>Watches the broker process during one workload: CPU seconds used, and the largest RSS seen.</summary>
internal sealed class BrokerMonitor : IAsyncDisposable
{
    private readonly int _pid;
    private readonly double _cpuAtStart;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampler;
    private double _peakRssMb;

    public BrokerMonitor(int pid)
    {
        _pid = pid;
        _cpuAtStart = ProcStats.CpuSeconds(pid);
        _peakRssMb = ProcStats.StatusMegabytes(pid, "VmRSS");
        _sampler = SampleAsync();
    }

    /// <summary>Stops sampling; returns CPU seconds used since the start and the peak RSS in MB.</summary>
    public async Task<(double CpuSeconds, double PeakRssMb)> StopAsync()
    {
        await _stop.CancelAsync();
        await _sampler;
        return (ProcStats.CpuSeconds(_pid) - _cpuAtStart, Math.Max(_peakRssMb, ProcStats.StatusMegabytes(_pid, "VmRSS")));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampler;
        _stop.Dispose();
    }

    private async Task SampleAsync()
    {
        // RSS has no change notification: sampling every 50 ms is the only way to see its peak during one workload.
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                _peakRssMb = Math.Max(_peakRssMb, ProcStats.StatusMegabytes(_pid, "VmRSS"));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }
}
