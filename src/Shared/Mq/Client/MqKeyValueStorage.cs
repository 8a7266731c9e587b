namespace Mq.Client;

/// <summary>Where a key-value bucket keeps its values.</summary>
public enum MqKeyValueStorage
{
    /// <summary>In the broker's store directory: the bucket survives a broker restart.</summary>
    File,

    /// <summary>In the broker's memory: gone at a restart.</summary>
    Memory,
}
