namespace Mq.CommandLine;

/// <summary>Counts in what the peers print: "1 message", "2 messages".</summary>
internal static class Plural
{
    public static string Of(long count, string noun) => Of(count, noun, noun + "s");

    public static string Of(long count, string noun, string plural) => count == 1 ? $"1 {noun}" : $"{count} {plural}";
}
