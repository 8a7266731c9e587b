using System.Globalization;

namespace Mq.IntegrationTests.Infrastructure;

/// <summary>What Linux says about a process: its resident memory and its open descriptors.</summary>
public static class ProcStatus
{
    public static long RssKb(int pid)
    {
        string line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    public static int OpenDescriptors(int pid) => Directory.GetFiles($"/proc/{pid}/fd").Length;
}
