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
        var subjects = new NameInput("subject", "Mq.Subscriber PATTERN...", many: true, "Pattern to subscribe to: * matches one token, > the rest", "--subject", "--topic", "-t");
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
        common.AddTo(command);

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
            var options = new SubscribeOptions { QueueGroup = queueGroup, FlowControl = parse.GetValue(flow) };
            foreach (string pattern in patterns)
            {
                await client.SubscribeAsync(pattern, (message, _) => ForwardAsync(inbox.Writer, message), options, token);
            }

            await Console.Error.WriteLineAsync($"subscribed to {string.Join(", ", patterns)}{(queueGroup is null ? "" : $" (group {queueGroup})")}");

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
