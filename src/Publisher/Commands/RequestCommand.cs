using System.CommandLine;
using System.Diagnostics;
using Mq.Client;
using Mq.CommandLine;

namespace Mq.Publisher.Commands;

/// <summary>
/// <c>request</c>: sends requests to a service, one after another, and prints each reply as JSON on stdout and
/// its round-trip time on stderr (so a script reading the replies gets nothing else).
/// </summary>
internal static class RequestCommand
{
    public static Command Create(CommonOptions common)
    {
        var command = new Command("request", "Send requests to a service and print each reply's payload as JSON");
        var service = new NameInput("service", "Mq.Publisher request SERVICE [PAYLOAD]", many: false, "Service name, e.g. inventory.count", "--service", "-s");
        var timeout = new Option<int>("--timeout") { Description = "Milliseconds to wait for each reply (exit 4 when it does not come)", DefaultValueFactory = _ => 5000 }.Positive();
        var count = new Option<int>("--count", "-c") { Description = "How many requests, one after another", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var payload = new PayloadOptions(fromArguments: true);
        service.AddTo(command);
        command.Options.Add(timeout);
        command.Options.Add(count);
        payload.AddTo(command);
        common.AddTo(command);

        command.SetAction((parse, ct) => CliAction.RunAsync(async token =>
        {
            string name = service.Value(parse);
            ReadOnlyMemory<byte> body = await payload.PayloadAsync(parse, token);
            var options = new RequestOptions { Timeout = TimeSpan.FromMilliseconds(parse.GetValue(timeout)), Headers = payload.HeaderMap(parse) };
            await using MqClient client = await common.ConnectAsync(parse, token);
            for (int i = 0; i < parse.GetValue(count); i++)
            {
                long started = Stopwatch.GetTimestamp();
                MqReply reply = await client.RequestAsync(name, body, options, token);
                TimeSpan roundTrip = Stopwatch.GetElapsedTime(started);
                Console.WriteLine(reply.ToJson());
                await Console.Error.WriteLineAsync($"reply from {name} in {roundTrip.TotalMilliseconds:0.000} ms");
            }

            return ExitCodes.Success;
        }, ct));
        return command;
    }
}
