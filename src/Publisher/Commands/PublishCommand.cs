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
        var subject = new NameInput("subject", "Mq.Publisher SUBJECT [PAYLOAD]", many: false, "Subject to publish on, e.g. orders.eu.created", "--subject", "--topic", "-t");
        var count = new Option<int?>("--count", "-c") { Description = "How many messages (default 1); not with --send-on newline, where each line is one" }.AtLeast(1);
        var rate = new Option<double>("--rate", "-r") { Description = "Messages per second (default: as fast as flow control allows)" }.AtLeast(0);
        var durable = new Option<bool>("--durable", "-d") { Description = "Wait until a stream has stored each message, and print the stream and sequence it got" };
        var messageId = new Option<string?>("--message-id") { Description = "With --durable: the message id (header mq-msg-id) a stream deduplicates by; with --count N, ID-1 ... ID-N" };
        var payload = new PayloadOptions(allowSize: true, fromArguments: true, allowLines: true);
        subject.AddTo(command);
        command.Options.Add(count);
        command.Options.Add(rate);
        command.Options.Add(durable);
        command.Options.Add(messageId);
        payload.AddTo(command);
        common.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetResult(count) is not null && payload.LinesGiven(result))
            {
                result.AddError("--count repeats one payload: with --send-on newline each line is one message");
            }

            if (result.GetResult(messageId) is not null && !result.GetValue(durable))
            {
                result.AddError("--message-id is for durable publishes: add --durable");
            }
        });

        command.SetAction((parse, ct) => CliAction.RunAsync(async token =>
        {
            string name = subject.Value(parse);
            IReadOnlyDictionary<string, string>? headers = payload.HeaderMap(parse);
            int? total = payload.ReadsLines(parse) ? null : parse.GetValue(count) ?? 1;
            double perSecond = parse.GetValue(rate);
            bool stored = parse.GetValue(durable);
            string? id = parse.GetValue(messageId);
            IAsyncEnumerable<ReadOnlyMemory<byte>> bodies = total is { } times
                ? AsyncEnumerable.Repeat(await payload.PayloadAsync(parse, token), times)
                : payload.LinesAsync(parse, token);

            await using MqClient client = await common.ConnectAsync(parse, token);
            var clock = Stopwatch.StartNew();
            long published = 0;
            try
            {
                await foreach (ReadOnlyMemory<byte> body in bodies.WithCancellation(token))
                {
                    if (perSecond > 0)
                    {
                        await Pacing.WaitForSlotAsync(clock, published, perSecond, token);
                    }

                    if (stored)
                    {
                        string? thisId = id is null ? null : total is 1 ? id : $"{id}-{published + 1}";
                        DurableAck ack = await client.PublishDurableAsync(name, body, thisId, headers, token);
                        Console.WriteLine(ack.Duplicate
                            ? $"duplicate: already stored in {ack.Stream} at sequence {ack.Sequence}"
                            : $"stored in {ack.Stream} at sequence {ack.Sequence}");
                    }
                    else
                    {
                        await client.PublishAsync(name, body, headers, token);
                    }

                    published++;
                }

                // Timed until the broker has taken every message: the rate is what it accepted, not what we queued.
                await client.FlushAsync(token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                string of = total is { } planned ? $"{published} of {Plural.Of(planned, "message")}" : Plural.Of(published, "message");
                await Console.Error.WriteLineAsync($"error: interrupted after publishing {of} to {name}");
                return ExitCodes.Interrupted;
            }

            double seconds = clock.Elapsed.TotalSeconds;

            // A rate of one message measures the round trip, not a rate: it is left out.
            string rateNote = published > 1 ? $" ({published / Math.Max(seconds, 1e-9):0} msgs/s)" : "";
            Console.WriteLine($"published {Plural.Of(published, "message")} to {name} in {seconds:0.000} s{rateNote}");
            return ExitCodes.Success;
        }, ct));
    }
}
