namespace Mq.Broker.Persistence;

/// <summary>
/// A stored record fails its checksum or framing somewhere other than a torn last write: the file was damaged after
/// it was written. The store does not guess; the message says what the operator can do.
/// </summary>
public sealed class StoreCorruptException : StoreException
{
    public StoreCorruptException(string path, long offset, string problem)
        : base($"{path} is corrupt at byte offset {offset}: {problem}. Restore this stream's directory from a backup, "
            + $"or keep the records before the damage by truncating the file to {offset} bytes (truncate -s {offset} '{path}') "
            + "and deleting the segment files after it; the messages from there on are lost.")
    {
        Path = path;
        Offset = offset;
    }

    public string Path { get; }

    public long Offset { get; }
}
