using System.Net;
using System.Net.Sockets;
using Mq.Testing;
using Mq.TestSupport;

namespace Mq.CliTests;

/// <summary>Starting the command-line peers and waiting on them, with the bounds every test uses.</summary>
internal static class Cli
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static PeerProcess Publisher(string endpoint, params string[] arguments) =>
        PeerProcess.Start("Mq.Publisher", [.. arguments, "--broker", endpoint]);

    public static PeerProcess Subscriber(string endpoint, params string[] arguments) =>
        PeerProcess.Start("Mq.Subscriber", [.. arguments, "--broker", endpoint]);

    /// <summary>Runs a command to its end; returns the exit code, with the process kept for its output.</summary>
    public static async Task<(int ExitCode, PeerProcess Process)> RunAsync(PeerProcess process) =>
        (await process.WaitForExitAsync(Timeout), process);

    /// <summary>A long-running subscriber, returned once it has said its subscriptions are confirmed.</summary>
    public static async Task<PeerProcess> SubscribedAsync(string endpoint, params string[] arguments)
    {
        PeerProcess subscriber = Subscriber(endpoint, arguments);
        await subscriber.WaitForLineAsync("subscribed to ", Timeout, onStandardError: true);
        return subscriber;
    }

    /// <summary>A serve command, returned once it has said it is serving.</summary>
    public static async Task<PeerProcess> ServingAsync(string endpoint, params string[] arguments)
    {
        PeerProcess server = Subscriber(endpoint, ["serve", .. arguments]);
        await server.WaitForLineAsync("serving ", Timeout, onStandardError: true);
        return server;
    }

    /// <summary>A unique subject prefix per test, so tests sharing a broker never see each other's messages.</summary>
    public static string Unique(string prefix) => $"{prefix}.{Guid.NewGuid():N}";

    /// <summary>An endpoint nothing listens on: a port the OS just handed out and took back.</summary>
    public static string UnusedEndpoint()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return $"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
    }
}
