using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Mq.Rpc;

/// <summary>
/// The contracts compiled into the process. Mq's source generator registers each one from a module initializer,
/// so finding a proxy or dispatcher takes no reflection: one static field per contract type.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class MqContracts
{
    public static void Register<TContract>(MqContract<TContract> contract)
        where TContract : class
    {
        ArgumentNullException.ThrowIfNull(contract);
        Slot<TContract>.Contract = contract;
    }

    internal static MqContract<TContract> Get<TContract>()
        where TContract : class
    {
        if (Slot<TContract>.Contract is { } contract)
        {
            return contract;
        }

        // A module's initializer runs when the module is first used; make sure it has before giving up.
        RuntimeHelpers.RunModuleConstructor(typeof(TContract).Module.ModuleHandle);
        return Slot<TContract>.Contract ?? throw new InvalidOperationException(
            $"{typeof(TContract).FullName} is not an Mq contract: mark the interface [MqContract(\"name\")] in a project that references package Mq (which runs its source generator)");
    }

    private static class Slot<TContract>
        where TContract : class
    {
        public static MqContract<TContract>? Contract;
    }
}
