namespace Mq.Hosting;

/// <summary>
/// Lets the runtime complete socket operations on its epoll thread instead of handing each completion to the
/// thread pool. NetMQ's completions only pass the result on to NetMQ's own I/O thread, so on Linux the extra
/// thread-pool hop is pure cost: one more thread wake-up per frame sent or received. Measured through a broker on
/// 2 cores (docs/performance.md): the broker spends about 15% less CPU per message and a request's round trip is
/// about a fifth shorter.
/// </summary>
/// <remarks>
/// The runtime reads the setting once, when the process opens its first socket, and applies it to every socket in
/// the process: call <see cref="Enable()"/> first thing in <c>Main</c>, and only in processes whose other sockets
/// (if any) do not run long or blocking work in their completions. Mq's executables do; an application that
/// embeds <see cref="Client.MqClient"/> chooses for itself. A value already set in the environment is kept, so
/// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0</c> turns it off.
/// </remarks>
public static class InlineSocketCompletions
{
    /// <summary>The runtime's switch (System.Net.Sockets reads it on Unix; Windows ignores it).</summary>
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Turns inline completions on for this process unless the environment says otherwise; true if they are on.</summary>
    public static bool Enable() => Enable(Environment.GetEnvironmentVariable, Environment.SetEnvironmentVariable);

    internal static bool Enable(Func<string, string?> read, Action<string, string> write)
    {
        string? chosen = read(Variable);
        if (chosen is null)
        {
            write(Variable, "1");
            return true;
        }

        return chosen == "1";
    }
}
