namespace Mq.Security;

/// <summary>
/// A CURVE key could not be used: missing or unreadable file, wrong length, unsafe permissions. The message
/// names the file and the problem, never the key itself, so it is safe to log.
/// </summary>
public sealed class KeyFileException : Exception
{
    public KeyFileException(string message)
        : base(message)
    {
    }

    public KeyFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KeyFileException()
    {
    }
}
