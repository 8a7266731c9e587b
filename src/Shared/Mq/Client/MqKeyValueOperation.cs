namespace Mq.Client;

/// <summary>What a write to a key did.</summary>
public enum MqKeyValueOperation
{
    /// <summary>Set a value.</summary>
    Put,

    /// <summary>Deleted the key (a tombstone: its earlier revisions stay in the history).</summary>
    Delete,

    /// <summary>Deleted the key and its history (only the purge itself stays).</summary>
    Purge,
}
