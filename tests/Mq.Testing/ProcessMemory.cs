namespace Mq.Testing;

/// <summary>A Linux process's memory as the kernel reports it in <c>/proc/PID/status</c>.</summary>
public static class ProcessMemory
{
    /// <summary>Resident set size now, in KiB.</summary>
    public static long RssKb(int pid) => Read(pid, "VmRSS:");

    /// <summary>The highest resident set size the process ever had, in KiB: a peak no sampling can miss.</summary>
    public static long PeakRssKb(int pid) => Read(pid, "VmHWM:");

    private static long Read(int pid, string field)
    {
        string line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }
}
