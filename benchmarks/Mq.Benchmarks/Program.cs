using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Mq.Benchmarks;

var system = new Option<string>("--system") { Description = "The system under test", DefaultValueFactory = _ => "mq" };
system.AcceptOnlyFromAmong(Transports.Systems);
var endpoint = new Option<string?>("--endpoint")
{
    Description = "Where it listens: tcp://host:port (mq, mq-plain, mq-rpc), unix:///path (mq-unix), nats://host:port, host:port (redis). Omitted for Mq's systems: start a broker process here; netmq always starts its own relay",
};
var brokerPid = new Option<int?>("--broker-pid") { Description = "The Mq broker's process id, for its CPU time and RSS (when --endpoint is given)" };
var brokerDll = new Option<string?>("--broker-dll") { Description = "Mq.Broker.dll to start when --endpoint is omitted (default: the solution's build)" };
var workloads = new Option<string[]>("--workloads") { Description = "Workloads to run: W1 to W5, and the durable D1 (publish with acknowledgement), D2 (replay) and D3 (replay of 64 KiB messages, for the broker's RSS), which run only when named", DefaultValueFactory = _ => ["W1", "W2", "W3", "W4", "W5"], AllowMultipleArgumentsPerToken = true };
var scale = new Option<double>("--scale") { Description = "Multiplies every message and request count (0.1 for a quick run)", DefaultValueFactory = _ => 1 };
var warmup = new Option<double>("--warmup") { Description = "Seconds of unmeasured traffic before each pub/sub workload (0: none)", DefaultValueFactory = _ => 2 };
var monitoring = new Option<string>("--monitoring")
{
    Description = "For a broker started here: off, on (its HTTP monitoring endpoint on, its live stream read and /metrics scraped once a second during each workload), or both (two brokers, each workload against one then the other)",
    DefaultValueFactory = _ => "off",
};
monitoring.AcceptOnlyFromAmong("off", "on", "both");
var timeout = new Option<double>("--timeout") { Description = "Seconds each workload may take; what has not arrived then is lost", DefaultValueFactory = _ => 120 };

// A role is this tool started by itself as a subscriber or server process; not for people to type.
var role = new Option<string?>("--role") { Hidden = true };
var subject = new Option<string?>("--subject") { Hidden = true };
var count = new Option<long>("--count") { Hidden = true };
var label = new Option<string?>("--label") { Description = "The system name results are printed under (default: --system), e.g. one system measured with two settings" };

var root = new RootCommand("Mq benchmarks: workloads W1 to W5 against Mq, NATS or Redis (and W3, W4 against bare NetMQ, the floor), durable D1 and D2 against Mq and NATS JetStream; one BENCH line per result.")
{
    system, endpoint, brokerPid, brokerDll, workloads, scale, warmup, monitoring, timeout, role, subject, count, label,
};
root.SetAction(async (parse, _) =>
{
    if (Problem(parse) is string problem)
    {
        Console.Error.WriteLine(problem);
        return 1;
    }

    string chosen = parse.GetValue(system)!;
    Transports.Prepare(chosen);
    string? where = parse.GetValue(endpoint);
    var limit = TimeSpan.FromSeconds(parse.GetValue(timeout));
    switch (parse.GetValue(role))
    {
        case "subscriber":
            return await SubscriberRole.RunAsync(chosen, where!, parse.GetValue(subject)!, parse.GetValue(count), limit);
        case "server":
            return await ServerRole.RunAsync(chosen, where!, parse.GetValue(subject)!, limit);
        case "floor-relay":
            return FloorRelayRole.Run(limit);
        case "floor-echo":
            return FloorEchoRole.Run(where!, limit);
        case not null:
            Console.Error.WriteLine("unknown role");
            return 1;
    }

    var brokers = new List<(ChildProcess? Process, BenchSettings Settings)>();
    int? pid = parse.GetValue(brokerPid);
    string mode = parse.GetValue(monitoring)!;
    if (mode != "off" && (where is not null || !Transports.IsMq(chosen)))
    {
        Console.Error.WriteLine("--monitoring compares Mq brokers started here: use it with --system mq, mq-unix, mq-plain or mq-rpc and without --endpoint");
        return 1;
    }

    if (where is null && chosen == "netmq")
    {
        // The floor starts its own relay for each workload.
        where = "own relay";
    }
    else if (where is null)
    {
        if (!Transports.IsMq(chosen))
        {
            Console.Error.WriteLine($"--endpoint is required for {chosen}");
            return 1;
        }
    }

    var settings = new BenchSettings
    {
        System = chosen,
        Label = parse.GetValue(label),
        Endpoint = where ?? "",
        BrokerPid = pid,
        Scale = parse.GetValue(scale),
        WorkloadTimeout = limit,
        Warmup = TimeSpan.FromSeconds(parse.GetValue(warmup)),
        Workloads = new HashSet<string>(parse.GetValue(workloads)!.Select(w => w.ToUpperInvariant()), StringComparer.Ordinal),
    };
    try
    {
        if (where is not null)
        {
            brokers.Add((null, settings));
        }
        else
        {
            foreach (string each in mode == "both" ? ["off", "on"] : new[] { mode })
            {
                (ChildProcess broker, string started, Uri? address) = await BrokerLauncher.StartAsync(parse.GetValue(brokerDll), monitored: each == "on", unix: Transports.IsUnix(chosen));
                if (address is not null)
                {
                    await MonitoringLoad.WarmUpAsync(address, CancellationToken.None);
                }

                brokers.Add((broker, settings with { Endpoint = started, BrokerPid = broker.Id, Monitoring = mode == "off" ? null : each, MonitoringAddress = address }));
            }
        }

        return await Runner.RunAsync(brokers.ConvertAll(b => b.Settings));
    }
    finally
    {
        foreach (ChildProcess? broker in brokers.Select(b => b.Process))
        {
            if (broker is not null)
            {
                await broker.DisposeAsync();
            }
        }
    }
});

var freePort = new Command("free-port", "Prints a TCP port on 127.0.0.1 that is free now (for scripts starting servers)");
freePort.SetAction(_ =>
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    Console.WriteLine(((IPEndPoint)listener.LocalEndpoint).Port);
    return 0;
});
root.Subcommands.Add(freePort);

return await root.Parse(args).InvokeAsync();

// Checked here rather than in a root validator, where options' default values are not yet applied.
string? Problem(ParseResult parse)
{
    if (parse.GetValue(scale) is <= 0 or > 100)
    {
        return "--scale must be above 0 and at most 100";
    }

    if (parse.GetValue(warmup) is < 0 or > 600)
    {
        return "--warmup must be between 0 and 600 seconds";
    }

    if (parse.GetValue(timeout) is <= 0 or > 3600)
    {
        return "--timeout must be above 0 and at most 3600 seconds";
    }

    return parse.GetValue(workloads)!.Except(["W1", "W2", "W3", "W4", "W5", "D1", "D2", "D3"], StringComparer.OrdinalIgnoreCase).FirstOrDefault() is string unknown
        ? $"unknown workload '{unknown}' (W1 to W5, D1 to D3)"
        : null;
}
