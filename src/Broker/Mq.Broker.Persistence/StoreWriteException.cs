namespace Mq.Broker.Persistence;

/// <summary>
/// The disk refused a write (full, over a file size limit, read-only, failing). The failed append stored nothing,
/// the partial bytes were cut off, and everything stored before is intact; appends may succeed again once there is room.
/// </summary>
public sealed class StoreWriteException : StoreException
{
    public StoreWriteException(string path, Exception innerException)
        : base($"Could not write {path}: {innerException.Message}. The append stored nothing and no stored message is lost; "
            + "free disk space (or raise the file size limit) and append again.", innerException)
    {
        Path = path;
    }

    public string Path { get; }
}
