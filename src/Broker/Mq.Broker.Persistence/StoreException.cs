namespace Mq.Broker.Persistence;

/// <summary>The base of the store's own errors, so a caller can catch them apart from its own.</summary>
public abstract class StoreException : Exception
{
    protected StoreException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
