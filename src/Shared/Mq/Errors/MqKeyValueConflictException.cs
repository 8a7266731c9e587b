using Mq.Protocol;

namespace Mq.Errors;

/// <summary>
/// A key-value write that expected a revision found another: <see cref="Client.MqKeyValue.UpdateAsync"/> whose key moved
/// on since it was read, or <see cref="Client.MqKeyValue.CreateAsync"/> of a key that has a value. Read the key again and retry.
/// </summary>
public sealed class MqKeyValueConflictException : MqException
{
    public MqKeyValueConflictException(string key, ulong expectedRevision, string message) : base(ErrorCode.Conflict, message)
    {
        Key = key;
        ExpectedRevision = expectedRevision;
    }

    public MqKeyValueConflictException() : base(ErrorCode.Conflict, "key-value conflict") => Key = "";

    public MqKeyValueConflictException(string message) : base(ErrorCode.Conflict, message) => Key = "";

    public MqKeyValueConflictException(string message, Exception innerException) : base(ErrorCode.Conflict, message, innerException) => Key = "";

    /// <summary>The key written.</summary>
    public string Key { get; }

    /// <summary>The revision the write expected (0: none, the key absent).</summary>
    public ulong ExpectedRevision { get; }
}
