namespace Mq.CommandLine;

/// <summary>An option value that parses but makes no sense (a negative count): a usage error, exit 1.</summary>
internal sealed class UsageException(string message) : Exception(message)
{
    /// <summary>Throws unless <paramref name="condition"/> holds.</summary>
    public static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new UsageException(message);
        }
    }
}
