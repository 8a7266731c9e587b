using System.CommandLine;
using Mq.Client;
using Mq.CommandLine;

namespace Mq.Subscriber.Commands;

/// <summary><c>serve</c>: answers requests to a service, echoing them unless a fixed reply is given.</summary>
internal static class ServeCommand
{
    public static Command Create(CommonOptions common)
    {
        var command = new Command("serve", "Serve a service until stopped: reply with the request's payload (echo) or a fixed payload");
        var service = new Option<string>("--service", "-s") { Description = "Service name to serve", Required = true };
        var count = new Option<int?>("--count", "-c") { Description = "Exit 0 after answering this many requests" }.AtLeast(1);
        var delay = new Option<int>("--delay") { Description = "Milliseconds to wait before each reply (to try requesters' timeouts)" }.AtLeast(0);
        var payload = new PayloadOptions(allowHeaders: false);
        command.Options.Add(service);
        command.Options.Add(count);
        command.Options.Add(delay);
        payload.AddTo(command);
        common.AddTo(command);

        command.SetAction((parse, ct) => CliAction.RunAsync(async token =>
        {
            // Spelled out: 'cond ? memory : null' would turn null into an empty payload through byte[].
            ReadOnlyMemory<byte>? fixedReply = null;
            if (payload.IsGiven(parse))
            {
                fixedReply = payload.Payload(parse);
            }

            int wait = parse.GetValue(delay);
            int? limit = parse.GetValue(count);
            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            int answered = 0;

            await using MqClient client = await common.ConnectAsync(parse, token);

            // One request at a time: replies go out in request order, and --count stops after exactly that many.
            await using MqService served = await client.ServeAsync(parse.GetValue(service)!, async (request, handlerToken) =>
            {
                if (wait > 0)
                {
                    await Task.Delay(wait, handlerToken);
                }

                if (Interlocked.Increment(ref answered) == limit)
                {
                    enough.TrySetResult();
                }

                return fixedReply ?? request.Data;
            }, new ServeOptions { MaxConcurrency = 1 }, token);
            await Console.Error.WriteLineAsync($"serving {served.Name}");

            // However it ends, the service is disposed first (its last reply handed over), then the client drains it.
            await enough.Task.WaitAsync(token);
            return ExitCodes.Success;
        }, ct, signalEndsNormally: true));
        return command;
    }
}
