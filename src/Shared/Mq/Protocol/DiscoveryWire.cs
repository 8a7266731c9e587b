using System.Text;

namespace Mq.Protocol;

/// <summary>
/// Broker discovery over UDP (docs/protocol.md §1.3): a peer sends a probe, every broker that hears it answers with
/// the endpoint to connect to. A probe is padded to <see cref="DatagramBytes"/> and an answer never exceeds it, so a
/// broker cannot be used to amplify traffic sent with a forged source address.
/// </summary>
internal static class DiscoveryWire
{
    public const int DatagramBytes = 256;
    public const int DefaultPort = 7445;

    private const string ProbeLine = "MQ-DISCOVER 1\n";
    private const string AnswerPrefix = "MQ-BROKER 1 ";

    /// <summary>The probe: its line, then zero bytes up to <see cref="DatagramBytes"/>.</summary>
    public static byte[] Probe()
    {
        var probe = new byte[DatagramBytes];
        Encoding.ASCII.GetBytes(ProbeLine, probe);
        return probe;
    }

    public static bool IsProbe(ReadOnlySpan<byte> datagram) =>
        datagram.Length == DatagramBytes && datagram.StartsWith(Encoding.ASCII.GetBytes(ProbeLine)) && !datagram[ProbeLine.Length..].ContainsAnyExcept((byte)0);

    /// <summary>The answer naming <paramref name="endpoint"/> and the broker's name, the name cut so the whole fits a probe's size.</summary>
    public static byte[] Answer(string endpoint, string name)
    {
        string line = AnswerPrefix + endpoint + " " + name;
        byte[] bytes = Encoding.UTF8.GetBytes(line);
        int length = Math.Min(bytes.Length, DatagramBytes - 1);
        while (length > 0 && length < bytes.Length && (bytes[length] & 0xC0) == 0x80)
        {
            length--; // never cut inside a UTF-8 sequence
        }

        return [.. bytes.AsSpan(0, length), (byte)'\n'];
    }

    /// <summary>The endpoint and name an answer carries; false for anything else.</summary>
    public static bool TryParseAnswer(ReadOnlySpan<byte> datagram, out string endpoint, out string name)
    {
        endpoint = name = "";
        if (datagram.Length > DatagramBytes || !datagram.EndsWith("\n"u8))
        {
            return false;
        }

        string text = Encoding.UTF8.GetString(datagram[..^1]);
        if (!text.StartsWith(AnswerPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        string[] parts = text[AnswerPrefix.Length..].Split(' ', 2);
        endpoint = parts[0];
        name = parts.Length > 1 ? parts[1] : "";
        return endpoint.StartsWith("tcp://", StringComparison.Ordinal);
    }
}
