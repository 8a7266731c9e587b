using System.Globalization;

namespace Mq.Testing;

/// <summary>What Linux says about a process in <c>/proc/PID</c>: its state, resident memory and open descriptors.</summary>
public static class ProcStatus
{
    /// <summary>Resident set size now, in KiB.</summary>
    public static long RssKb(int pid) => Read(pid, "VmRSS:");

    /// <summary>The highest resident set size the process ever had, in KiB: a peak no sampling can miss.</summary>
    public static long PeakRssKb(int pid) => Read(pid, "VmHWM:");

    public static int OpenDescriptors(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;

    /// <summary>The state letter of <c>/proc/PID/stat</c>: <c>R</c> running, <c>S</c> sleeping, <c>T</c> stopped...</summary>
    public static char State(int pid)
    {
        // The command name in parentheses may itself contain spaces or parentheses; the state follows the last ')'.
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[stat.LastIndexOf(')') + 2];
    }

    private static long Read(int pid, string field)
    {
        string line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
