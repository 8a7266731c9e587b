using System.CommandLine;
using System.Diagnostics;
using Mq.Client;
using Mq.CommandLine;

namespace Mq.Publisher.Commands;

/// <summary><c>publish</c> (also the default command): publishes <c>--count</c> messages, paced by <c>--rate</c>.</summary>
internal static class PublishCommand
{
    public static Command Create(CommonOptions common)
    {
        var command = new Command("publish", "Publish messages to a subject (the default command)");
        Configure(command, common);
        return command;
    }

    public static void Configure(Command command, CommonOptions common)
    {
        var topic = new Option<string>("--topic", "-t") { Description = "Subject to publish on, e.g. orders.eu.created", Required = true };
        var count = new Option<int>("--count", "-c") { Description = "How many messages", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var rate = new Option<double>("--rate", "-r") { Description = "Messages per second (default: as fast as flow control allows)" }.AtLeast(0);
        var payload = new PayloadOptions(allowSize: true);
        command.Options.Add(topic);
        command.Options.Add(count);
        command.Options.Add(rate);
        payload.AddTo(command);
        common.AddTo(command);

        command.SetAction((parse, ct) => CliAction.RunAsync(async token =>
        {
            string subject = parse.GetValue(topic)!;
            ReadOnlyMemory<byte> body = payload.Payload(parse);
            IReadOnlyDictionary<string, string>? headers = payload.HeaderMap(parse);
            int total = parse.GetValue(count);
            double perSecond = parse.GetValue(rate);

            await using MqClient client = await common.ConnectAsync(parse, token);
            var clock = Stopwatch.StartNew();
            int published = 0;
            try
            {
                for (; published < total; published++)
                {
                    if (perSecond > 0)
                    {
                        await Pacing.WaitForSlotAsync(clock, published, perSecond, token);
                    }

                    await client.PublishAsync(subject, body, headers, token);
                }

                // Timed until the broker has taken every message: the rate is what it accepted, not what we queued.
                await client.FlushAsync(token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync($"error: interrupted after publishing {published} of {total} messages to {subject}");
                return ExitCodes.Interrupted;
            }

            double seconds = clock.Elapsed.TotalSeconds;
            Console.WriteLine($"published {total} messages to {subject} in {seconds:0.000} s ({total / Math.Max(seconds, 1e-9):0} msgs/s)");
            return ExitCodes.Success;
        }, ct));
    }
}
