using System.ComponentModel;
using MessagePack;
using Mq.Serialization;

namespace Mq.Rpc;

/// <summary>
/// Reads a call's arguments in parameter order, whatever their content type: MessagePack in place (nothing
/// allocated but the arguments), JSON and XML from a parsed list. For generated dispatchers, through
/// <see cref="MqRpcArguments"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref struct MqArgumentReader
{
    private readonly ArgumentList? _list;
    private MessagePackReader _messagePack;
    private int _next;

    internal MqArgumentReader(MessagePackReader messagePack)
    {
        _messagePack = messagePack;
        _list = null;
        _next = 0;
    }

    internal MqArgumentReader(ArgumentList list)
    {
        _messagePack = default;
        _list = list;
        _next = 0;
    }

    internal T Read<T>(MessagePackSerializerOptions options) =>
        _list is null ? MessagePackSerializer.Deserialize<T>(ref _messagePack, options) : _list.Read<T>(_next++);
}
