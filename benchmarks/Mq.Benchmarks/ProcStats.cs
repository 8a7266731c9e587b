using System.Globalization;

namespace Mq.Benchmarks;

/// <summary>A process's CPU time and memory from /proc (Linux only).</summary>
internal static class ProcStats
{
    /// <summary>USER_HZ: the unit of /proc/pid/stat's times; 100 on every Linux architecture .NET runs on.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>User plus system CPU seconds used so far.</summary>
    public static double CpuSeconds(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may hold spaces; fields after its closing parenthesis are plain.
        string[] rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long utime = long.Parse(rest[11], CultureInfo.InvariantCulture);
        long stime = long.Parse(rest[12], CultureInfo.InvariantCulture);
        return (utime + stime) / TicksPerSecond;
    }

    /// <summary>A line of /proc/pid/status in MB, such as VmRSS (now) or VmHWM (peak since start).</summary>
    public static double StatusMegabytes(int pid, string field)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                string kb = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        throw new InvalidOperationException($"/proc/{pid}/status has no {field}");
    }
}
