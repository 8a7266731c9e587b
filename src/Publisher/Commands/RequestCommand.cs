using System.CommandLine;
using Mq.Client;
using Mq.CommandLine;

namespace Mq.Publisher.Commands;

/// <summary><c>request</c>: sends requests to a service, one after another, and prints each reply as JSON.</summary>
internal static class RequestCommand
{
    public static Command Create(CommonOptions common)
    {
        var command = new Command("request", "Send requests to a service and print each reply's payload as JSON");
        var service = new Option<string>("--service", "-s") { Description = "Service name, e.g. inventory.count", Required = true };
        var timeout = new Option<int>("--timeout") { Description = "Milliseconds to wait for each reply (exit 4 when it does not come)", DefaultValueFactory = _ => 5000 }.Positive();
        var count = new Option<int>("--count", "-c") { Description = "How many requests, one after another", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var payload = new PayloadOptions();
        command.Options.Add(service);
        command.Options.Add(timeout);
        command.Options.Add(count);
        payload.AddTo(command);
        common.AddTo(command);

        command.SetAction((parse, ct) => CliAction.RunAsync(async token =>
        {
            ReadOnlyMemory<byte> body = payload.Payload(parse);
            var options = new RequestOptions { Timeout = TimeSpan.FromMilliseconds(parse.GetValue(timeout)), Headers = payload.HeaderMap(parse) };
            await using MqClient client = await common.ConnectAsync(parse, token);
            for (int i = 0; i < parse.GetValue(count); i++)
            {
                MqReply reply = await client.RequestAsync(parse.GetValue(service)!, body, options, token);
                Console.WriteLine(reply.ToJson());
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }
}
