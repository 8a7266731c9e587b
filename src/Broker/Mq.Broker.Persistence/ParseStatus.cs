namespace Mq.Broker.Persistence;

internal enum ParseStatus
{
    Ok,

    /// <summary>The bytes end before the record does: a torn write if at the end of the last file.</summary>
    Incomplete,

    /// <summary>Framing out of range or the checksum does not match.</summary>
    Bad,
}
