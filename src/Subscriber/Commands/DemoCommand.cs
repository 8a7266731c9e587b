using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mq.CommandLine;
using Mq.Hosting;
using Mq.Subscriber.Demo;

namespace Mq.Subscriber.Commands;

/// <summary><c>demo</c>: the long-running demo peer (subscribes, serves its stats), hosted with AddMq.</summary>
internal static class DemoCommand
{
    public static Command Create(CommonOptions common)
    {
        var command = new Command(DemoHost.CommandName, "Run as a long-running demo peer: log what arrives and serve stats about it");
        var topic = new Option<string>("--subject", "--topic", "-t") { Description = "Pattern to subscribe to", DefaultValueFactory = _ => "demo.>" };
        var group = new Option<string?>("--group", "-g") { Description = "Queue group to join" };
        var stats = new Option<string>("--stats-service") { Description = "Service name to answer stats on", DefaultValueFactory = _ => "demo.stats" };
        command.Options.Add(topic);
        command.Options.Add(group);
        command.Options.Add(stats);
        common.AddTo(command);

        command.SetAction((parse, ct) => CliAction.RunAsync(async token =>
        {
            HostApplicationBuilder builder = DemoHost.CreateBuilder(common.ClientOptions(parse));
            builder.Services.AddSingleton(new ReceivedMessages(parse.GetValue(common.Name)!));
            builder.Services.AddMq(builder.Configuration.GetSection(MqOptions.SectionName))
                .AddSubscription<CountingHandler>(parse.GetValue(topic)!, parse.GetValue(group))
                .AddService<StatsHandler, object?, DemoStats>(parse.GetValue(stats)!);
            using IHost host = builder.Build();
            return await DemoHost.RunAsync(host, token);
        }, ct, signalEndsNormally: true));
        return command;
    }
}
