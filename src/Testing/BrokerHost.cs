using System.Runtime.InteropServices;
using System.Text.Json;
using Mq.Broker.Server;

namespace Mq.Testing;

/// <summary>
/// The broker process of <see cref="TestBroker.StartProcessAsync"/>: this assembly run with <c>dotnet exec</c>,
/// borrowing the running test's dependency file, so it works wherever the kit's package is referenced (no broker
/// executable needs to be installed). It runs a <see cref="BrokerServer"/> with the options in a JSON file, logs to
/// standard error, and stops on SIGTERM or SIGINT.
/// </summary>
internal static class BrokerHost
{
    public const string Command = "mq-testing-broker";

    /// <summary>The line the host prints once it listens; <c>endpoint</c> is the bound one.</summary>
    public const string ReadyPattern = @"^mq-testing broker ready on (?<endpoint>tcp://\S+)$";

    /// <summary>How to start the host: the test's own deps file and a runtime config for the running runtime.</summary>
    public static PeerStart Start(string directory, string configFile)
    {
        string? deps = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string)?.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (deps is null || !File.Exists(deps))
        {
            throw new InvalidOperationException("the test process has no .deps.json file, which a broker process needs to find its dependencies");
        }

        string runtimeConfig = Path.Combine(directory, "broker.runtimeconfig.json");
        var framework = new { name = "Microsoft.NETCore.App", version = $"{Environment.Version.Major}.{Environment.Version.Minor}.0" };
        File.WriteAllText(runtimeConfig, JsonSerializer.Serialize(new { runtimeOptions = new { tfm = $"net{Environment.Version.Major}.0", framework } }));
        string assembly = typeof(BrokerHost).Assembly.Location;
        return PeerStart.Executable("dotnet", "exec", "--runtimeconfig", runtimeConfig, "--depsfile", deps, assembly, Command, configFile) with { Name = "mq-testing-broker" };
    }

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [Command, string configFile])
        {
            await Console.Error.WriteLineAsync($"usage: dotnet exec ... Mq.Testing.dll {Command} <broker-options.json>; the test kit runs this itself");
            return 2;
        }

        BrokerOptions options = JsonSerializer.Deserialize<BrokerOptions>(await File.ReadAllTextAsync(configFile))
            ?? throw new InvalidDataException($"{configFile} holds no broker options");
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }

        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        await using var server = new BrokerServer(options, new StandardErrorLogger());
        await server.StartAsync();
        Console.WriteLine($"mq-testing broker ready on {server.Endpoint}");
        await stop.Task;
        await server.StopAsync();
        return 0;
    }
}
