using System.ComponentModel;
using Mq.Errors;

namespace Mq.Rpc;

/// <summary>
/// One method of a contract, as Mq's source generator describes it to the proxy and the dispatcher: its service
/// name and the fault types it declares. For generated code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class MqMethod
{
    private readonly MqFault[] _faults;

    public MqMethod(string contract, string name, params MqFault[] faults)
    {
        Contract = contract;
        Name = name;
        Service = contract + "." + name;
        _faults = faults;
    }

    /// <summary>The contract's name, <see cref="MqContractAttribute.Name"/>.</summary>
    public string Contract { get; }

    /// <summary>The method's name without an <c>Async</c> suffix.</summary>
    public string Name { get; }

    /// <summary>The service it is served as: <c>&lt;contract&gt;.&lt;name&gt;</c>.</summary>
    public string Service { get; }

    public IReadOnlyList<MqFault> Faults => _faults;

    /// <summary>"Nobody serves it" in the caller's terms: a server may run an older contract that lacks the method.</summary>
    internal NoRespondersException NoResponders(NoRespondersException error) =>
        new($"no server has method '{Name}' of contract '{Contract}' (service '{Service}'): none is running, or those running serve a version of the contract without it", error);

    internal MqFault? FindFault(string faultType)
    {
        foreach (MqFault fault in _faults)
        {
            if (fault.Type == faultType)
            {
                return fault;
            }
        }

        return null;
    }
}
