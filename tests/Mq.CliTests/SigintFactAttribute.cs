using System.Globalization;

namespace Mq.CliTests;

/// <summary>
/// A test that sends SIGINT to a child process. Skipped, saying so, where this process ignores SIGINT (started in
/// the background by a shell without job control): children inherit that, and .NET then never sees the signal.
/// </summary>
public sealed class SigintFactAttribute : FactAttribute
{
    private const string StatusFile = "/proc/self/status";

    public SigintFactAttribute()
    {
        if (SigintIgnored())
        {
            Skip = "SIGINT is ignored in this process (and so in its children); run the tests in the foreground";
        }
    }

    private static bool SigintIgnored()
    {
        if (!File.Exists(StatusFile))
        {
            return false;
        }

        // SigIgn is a hex mask of ignored signals; SIGINT (2) is bit 1.
        string? mask = File.ReadLines(StatusFile).FirstOrDefault(line => line.StartsWith("SigIgn:", StringComparison.Ordinal));
        return mask is not null && (ulong.Parse(mask["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 0b10) != 0;
    }
}
