namespace Mq.Serialization;

/// <summary>
/// A call's arguments in a text format (JSON, XML), parsed into one node per argument that is read as its parameter's
/// type when the dispatcher asks. MessagePack needs none of this: its reader walks the array in place.
/// </summary>
internal abstract class ArgumentList
{
    public abstract int Count { get; }

    /// <summary>The argument at <paramref name="index"/> (below <see cref="Count"/>); throws the format's own exception when it is not a <typeparamref name="T"/>.</summary>
    public abstract T Read<T>(int index);
}
