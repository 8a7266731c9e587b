using System.CommandLine;
using System.Text;
using System.Threading.Channels;
using Mq.Client;
using Mq.CommandLine;
using Mq.Subscriber.Output;

namespace Mq.Subscriber.Commands;

/// <summary><c>subscribe</c> (also the default command): prints messages on one or more patterns.</summary>
internal static class SubscribeCommand
{
    /// <summary>
    /// Messages waiting to be printed. Bounded, so a slow terminal pushes back on each subscription's own bounded
    /// buffer, which then drops and reports (see <see cref="DropReport"/>) instead of growing without limit.
    /// </summary>
    private const int InboxCapacity = 1024;

    public static Command Create(CommonOptions common)
    {
        var command = new Command("subscribe", "Print messages published on subjects matching the patterns (the default command)");
        Configure(command, common);
        return command;
    }

    public static void Configure(Command command, CommonOptions common)
    {
        var stream = new Option<string?>("--stream", "-s") { Description = "Read this durable stream (its stored messages from --from, then new ones) instead of subscribing to patterns" };
        var from = new Option<string>("--from")
        {
            Description = "With --stream: start, a stream sequence, a time (2026-12-03T14:00:00Z) or new",
            DefaultValueFactory = _ => "start",
        };
        var durable = new Option<string?>("--durable") { Description = "With --stream: read as this durable consumer, which goes on after what it acknowledged (each message is acknowledged once printed)" };
        var shared = new Option<bool>("--shared")
        {
            Description = "With --durable: share the durable consumer with the other subscribers that share it, each message to one of them",
        };
        var subjects = new NameInput("subject", "Mq.Subscriber PATTERN...", many: true, "Pattern to subscribe to: * matches one token, > the rest", "--subject", "--topic", "-t")
        {
            NotRequiredWhen = result => result.GetResult(stream) is not null,
        };
        var group = new Option<string?>("--group", "-g") { Description = "Queue group: each message goes to one member of the group" };
        var flow = new Option<bool>("--flow")
        {
            Description = "Flow control: never drop; when this subscriber falls behind, the broker slows the publishers down instead",
        };
        var count = new Option<int?>("--count", "-c") { Description = "Exit 0 after this many messages (over all patterns)" }.AtLeast(1);
        var timeout = new Option<double?>("--timeout")
        {
            Description = "Seconds to listen once subscribed. With --count: exit 4 unless that many arrived by then. Without: stop then, exit 0",
        }.Positive();
        var output = new Option<string>("--output", "-o") { Description = "text ([subject] payload) or json (one object per line)", DefaultValueFactory = _ => "text" };
        output.AcceptOnlyFromAmong("text", "json");
        subjects.AddTo(command);
        command.Options.Add(group);
        command.Options.Add(flow);
        command.Options.Add(count);
        command.Options.Add(timeout);
        command.Options.Add(output);
        command.Options.Add(stream);
        command.Options.Add(from);
        command.Options.Add(durable);
        command.Options.Add(shared);
        common.AddTo(command);
        command.Validators.Add(result =>
        {
            if (result.GetResult(stream) is null)
            {
                if (result.GetResult(from) is { Implicit: false } || result.GetResult(durable) is not null)
                {
                    result.AddError($"{(result.GetResult(durable) is null ? "--from" : "--durable")} is for reading a stream: add --stream NAME");
                }
                else if (result.GetResult(shared) is not null)
                {
                    result.AddError("--shared is for reading a stream as a durable consumer: add --stream NAME --durable NAME");
                }

                return;
            }

            if (result.GetResult(shared) is not null && result.GetResult(durable) is null)
            {
                result.AddError("--shared shares a durable consumer: add --durable NAME");
            }

            if (result.GetResult(subjects.Argument) is { Tokens.Count: > 0 } || result.GetResult(subjects.Option) is not null)
            {
                result.AddError("--stream reads a stream's subjects: give no patterns with it");
            }

            if (result.GetResult(group) is not null || result.GetResult(flow) is not null)
            {
                result.AddError("--stream reads with flow control and without a queue group: leave out --group and --flow");
            }

            // Without --from the validator sees no value (its default comes later): that is the default, start.
            string fromText = result.GetValue(from) is { Length: > 0 } given ? given : "start";
            if (!StreamStart.TryParse(fromText, out _))
            {
                result.AddError($"--from '{fromText}' is not start, new, a sequence (1, 2, ...) or a time (2026-12-03T14:00:00Z)");
            }
        });

        command.SetAction((parse, ct) => CliAction.RunAsync(async token =>
        {
            string[] patterns = subjects.Values(parse);
            string? queueGroup = parse.GetValue(group);
            int? wanted = parse.GetValue(count);
            OutputFormat format = parse.GetValue(output) == "json" ? OutputFormat.Json : OutputFormat.Text;

            var inbox = Channel.CreateBounded<MqMessage>(new BoundedChannelOptions(InboxCapacity) { SingleReader = true });
            await using MqClient client = await common.ConnectAsync(parse, token);

            // Declared after the client, so disposed before it: the total covers what was lost while this command printed.
            await using var drops = new DropReport();
            client.MessagesDropped += drops.Record;
            if (parse.GetValue(stream) is { } streamName)
            {
                // Checked by the validator above.
                _ = StreamStart.TryParse(parse.GetValue(from)!, out StreamStart start);
                string? durableName = parse.GetValue(durable);
                ConsumeOptions? consumer = durableName is null ? null : new ConsumeOptions { Durable = durableName, Shared = parse.GetValue(shared) };
                await client.ConsumeAsync(streamName, start, consumer, (message, _) => ForwardAsync(inbox.Writer, message), token);
                await Console.Error.WriteLineAsync(durableName is null
                    ? $"reading stream {streamName} from {start}"
                    : $"reading stream {streamName} as {(consumer!.Shared ? "shared " : "")}durable consumer {durableName} (from {start} if it is new)");
            }
            else
            {
                var options = new SubscribeOptions { QueueGroup = queueGroup, FlowControl = parse.GetValue(flow) };
                foreach (string pattern in patterns)
                {
                    await client.SubscribeAsync(pattern, (message, _) => ForwardAsync(inbox.Writer, message), options, token);
                }

                await Console.Error.WriteLineAsync($"subscribed to {string.Join(", ", patterns)}{(queueGroup is null ? "" : $" (group {queueGroup})")}");
            }

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(token);
            if (parse.GetValue(timeout) is { } seconds)
            {
                deadline.CancelAfter(TimeSpan.FromSeconds(seconds));
            }

            // Buffered and flushed whenever the inbox runs dry: one write per burst rather than per line.
            await using var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16);
            int received = 0;
            try
            {
                await foreach (MqMessage message in inbox.Reader.ReadAllAsync(deadline.Token))
                {
                    await stdout.WriteLineAsync(MessageFormatter.Format(message, format));
                    if (!inbox.Reader.TryPeek(out _))
                    {
                        await stdout.FlushAsync(CancellationToken.None);
                    }

                    // A durable consumer's message is done once printed (nothing to do for others).
                    await message.AckAsync();

                    if (++received == wanted)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested && wanted is not null)
            {
                await Console.Error.WriteLineAsync($"error: timed out after receiving {received} of {Plural.Of(wanted.Value, "message")}");
                return ExitCodes.Timeout;
            }
            catch (OperationCanceledException) when (!token.IsCancellationRequested)
            {
                // --timeout without --count: the run simply ends.
            }
            finally
            {
                // Releases handlers waiting on a full inbox, so disposing the client does not wait for them.
                inbox.Writer.TryComplete();
            }

            return ExitCodes.Success;
        }, ct, signalEndsNormally: true));
    }

    /// <summary>A subscription's handler: waits while the inbox is full, and drops quietly once printing has ended.</summary>
    private static async ValueTask ForwardAsync(ChannelWriter<MqMessage> inbox, MqMessage message)
    {
        while (!inbox.TryWrite(message))
        {
            if (!await inbox.WaitToWriteAsync())
            {
                return;
            }
        }
    }
}
