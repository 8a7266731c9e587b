using System.CommandLine;
using Mq.Client;
using Mq.CommandLine;
using Mq.Subscriber.Output;

namespace Mq.Subscriber.Commands;

/// <summary><c>serve</c>: answers requests to a service, echoing them unless a fixed reply is given.</summary>
internal static class ServeCommand
{
    public static Command Create(CommonOptions common)
    {
        var command = new Command("serve", "Serve a service until stopped: reply with the request's payload (echo) or a fixed payload");
        var service = new NameInput("service", "Mq.Subscriber serve SERVICE", many: false, "Service name to serve", "--service", "-s");
        var count = new Option<int?>("--count", "-c") { Description = "Exit 0 after answering this many requests" }.AtLeast(1);
        var delay = new Option<int>("--delay") { Description = "Milliseconds to wait before each reply (to try requesters' timeouts)" }.AtLeast(0);
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Print each request as it arrives, as subscribe prints a message: [service] payload-as-JSON headers" };
        var payload = new PayloadOptions(allowHeaders: false);
        service.AddTo(command);
        command.Options.Add(verbose);
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
                fixedReply = await payload.PayloadAsync(parse, token);
            }

            bool printing = parse.GetValue(verbose);

            int wait = parse.GetValue(delay);
            int? limit = parse.GetValue(count);
            var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            int answered = 0;

            await using MqClient client = await common.ConnectAsync(parse, token);

            // One request at a time: replies go out in request order, and --count stops after exactly that many.
            await using MqService served = await client.ServeAsync(service.Value(parse), async (request, handlerToken) =>
            {
                if (printing)
                {
                    // Handlers run one at a time (MaxConcurrency 1), so lines never interleave.
                    Console.WriteLine(MessageFormatter.Text(request.Service, request.ToJson(), request.Headers));
                }

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
