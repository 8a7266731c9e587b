using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Mq.CommandLine;
using Mq.Hosting;
using Mq.Publisher.Demo;

namespace Mq.Publisher.Commands;

/// <summary><c>demo</c>: the long-running demo peer (publishes ticks, asks for stats), hosted with AddMq.</summary>
internal static class DemoCommand
{
    public static Command Create(CommonOptions common)
    {
        var command = new Command(DemoHost.CommandName, "Run as a long-running demo peer: publish ticks and ask the subscribers for their stats");
        var topic = new Option<string>("--subject", "--topic", "-t") { Description = "Subject to publish ticks on", DefaultValueFactory = _ => "demo.ticks" };
        var rate = new Option<double>("--rate", "-r") { Description = "Ticks per second", DefaultValueFactory = _ => 2 }.Positive();
        var stats = new Option<string>("--stats-service") { Description = "Service to ask for stats", DefaultValueFactory = _ => "demo.stats" };
        var every = new Option<double>("--stats-every") { Description = "Seconds between stats requests", DefaultValueFactory = _ => 5 }.Positive();
        var count = new Option<long>("--count", "-c") { Description = "Stop after this many ticks (0: run until stopped)" }.AtLeast(0);
        command.Options.Add(topic);
        command.Options.Add(rate);
        command.Options.Add(stats);
        command.Options.Add(every);
        command.Options.Add(count);
        common.AddTo(command);

        command.SetAction((parse, ct) => CliAction.RunAsync(async token =>
        {
            HostApplicationBuilder builder = DemoHost.CreateBuilder(common.ClientOptions(parse));
            builder.Services.AddMq(builder.Configuration.GetSection(MqOptions.SectionName));
            builder.Services.AddSingleton(new DemoPublisherSettings(
                parse.GetValue(topic)!, parse.GetValue(rate), parse.GetValue(stats)!, TimeSpan.FromSeconds(parse.GetValue(every)), parse.GetValue(count)));
            builder.Services.AddHostedService<DemoPublisher>();
            using IHost host = builder.Build();
            return await DemoHost.RunAsync(host, token);
        }, ct, signalEndsNormally: true));
        return command;
    }
}
